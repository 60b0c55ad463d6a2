/* checkuse: a container entrypoint with a check-then-use race (the lab's AU009 program).
 * stat()s FILE, waits until GO exists (polls every 10 ms, at most TIMEOUT_MS), then open()s
 * FILE and reads it. Between the two calls another process in the container may replace FILE
 * (e.g. by a symlink): the open then reaches another object than the one checked.
 * Usage: checkuse [-w GO] [-t TIMEOUT_MS] FILE
 * Prints "checked FILE inode=N" after the check and "used FILE inode=M: FIRST LINE" after the
 * use (stdout, flushed). Exit 0 when both calls succeeded, 1 otherwise, 2 on usage errors.
 * Built with gcc -static so it runs in the busybox-only lab image. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static long now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int main(int argc, char **argv) {
  const char *go = NULL;
  long timeout_ms = 5000;
  int opt;
  while ((opt = getopt(argc, argv, "w:t:")) != -1) {
    switch (opt) {
      case 'w': go = optarg; break;
      case 't': timeout_ms = atol(optarg); break;
      default: goto usage;
    }
  }
  if (argc - optind != 1) goto usage;
  const char *file = argv[optind];
  struct stat st;
  if (stat(file, &st) != 0) {
    perror("stat");
    return 1;
  }
  printf("checked %s inode=%lu\n", file, (unsigned long)st.st_ino);
  fflush(stdout);
  if (go) {
    long end = now_ms() + timeout_ms;
    while (access(go, F_OK) != 0 && now_ms() < end) usleep(10000);
  }
  int fd = open(file, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    perror("open");
    return 1;
  }
  struct stat ust;
  char buf[256] = {0};
  ssize_t n = read(fd, buf, sizeof buf - 1);
  if (fstat(fd, &ust) != 0 || n < 0) {
    perror("read");
    return 1;
  }
  buf[n] = 0;
  char *nl = strchr(buf, '\n');
  if (nl) *nl = 0;
  printf("used %s inode=%lu: %s\n", file, (unsigned long)ust.st_ino, buf);
  fflush(stdout);
  close(fd);
  return 0;
usage:
  fprintf(stderr, "usage: checkuse [-w GO] [-t TIMEOUT_MS] FILE\n");
  return 2;
}
