// Test helper for verify_race.test.sh.
//   race_helper swap A B SECONDS      exchange A and B with renameat2(RENAME_EXCHANGE) in a loop
//   race_helper naive PATH N NEEDLE   open()+read PATH N times; print how many reads held NEEDLE
#define _GNU_SOURCE
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

static volatile sig_atomic_t stop_flag;
static void on_term(int s) { (void)s; stop_flag = 1; }

int main(int argc, char** argv) {
  if (argc == 5 && strcmp(argv[1], "swap") == 0) {
    signal(SIGTERM, on_term);
    time_t end = time(NULL) + atol(argv[4]);
    long n = 0;
    while (!stop_flag && time(NULL) < end) {
      if (syscall(SYS_renameat2, AT_FDCWD, argv[2], AT_FDCWD, argv[3], RENAME_EXCHANGE) == 0) n++;
    }
    if (n % 2 == 1) syscall(SYS_renameat2, AT_FDCWD, argv[2], AT_FDCWD, argv[3], RENAME_EXCHANGE);
    fprintf(stderr, "swaps=%ld\n", n + n % 2);
    return 0;
  }
  if (argc == 5 && strcmp(argv[1], "naive") == 0) {
    long n = atol(argv[3]), hits = 0, ok = 0;
    char buf[4096];
    for (long i = 0; i < n; i++) {
      int fd = open(argv[2], O_RDONLY);
      if (fd < 0) continue;
      ssize_t r = read(fd, buf, sizeof buf - 1);
      close(fd);
      if (r <= 0) continue;
      buf[r] = 0;
      ok++;
      if (strstr(buf, argv[4])) hits++;
    }
    printf("%ld %ld\n", hits, ok);
    return 0;
  }
  fprintf(stderr, "usage: race_helper swap A B SECONDS | naive PATH N NEEDLE\n");
  return 2;
}
