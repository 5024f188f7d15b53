/*
 * Overhead harness (tools/overhead/run.sh): loads a build of a sensor.bpf.c variant, selects
 * openat only (ALL_SYSCALLS=1: every syscall the object has), drains the ring on a thread that
 * only counts records, runs the open/close loop pinned to CPU 1 (CPU=N to change) for argv[1]
 * seconds and prints its "ops/s CPU-ns/op" line; then, on stderr, each program's run count
 * and mean run time when kernel.bpf_stats_enabled=1.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <pthread.h>
#include <sys/wait.h>
#include <bpf/libbpf.h>
#include <bpf/bpf.h>
#include "sensor.skel.h"
static volatile int stop; static long recs;
static int on_rec(void *c, void *d, size_t n) { recs++; return 0; }
static void *drain(void *a) { struct ring_buffer *rb = a; while (!stop) { ring_buffer__poll(rb, 50); ring_buffer__consume(rb);} return 0; }
int main(int argc, char **argv) {
  const char *secs = argc > 1 ? argv[1] : "3";
  int nrs[] = {2, 257, 437, 42, 44, 46, 41, 82, 264, 316, 87, 263, 83, 258, 88, 266, 86, 265, 105, 106, 101, 175, 313, 32, 33, 292};
  const char *names[] = {"exit_open","exit_openat","exit_openat2","exit_connect","exit_sendto","exit_sendmsg","exit_socket","exit_rename","exit_renameat","exit_renameat2","exit_unlink","exit_unlinkat","exit_mkdir","exit_mkdirat","exit_symlink","exit_symlinkat","exit_link","exit_linkat","exit_setuid","exit_setgid","exit_ptrace","exit_init_module","exit_finit_module","exit_dup","exit_dup2","exit_dup3"};
  struct sensor_bpf *s = sensor_bpf__open();
  if (!s) { perror("open"); return 1; }
  s->rodata->self_tgid = getpid();
  s->rodata->wake_shift = 20;
  struct bpf_program *p;
  bpf_object__for_each_program(p, s->obj) if (!strncmp(bpf_program__name(p), "exit_", 5)) bpf_program__set_autoattach(p, false);
  if (sensor_bpf__load(s)) { perror("load"); return 1; }
  int tail = bpf_map__fd(s->maps.syscall_tail);
  for (unsigned i = 0; i < sizeof nrs / sizeof nrs[0]; i++) {
    struct bpf_program *q = bpf_object__find_program_by_name(s->obj, names[i]);
    if (!q) continue;
    int fd = bpf_program__fd(q); __u32 k = nrs[i];
    if (!getenv("ALL_SYSCALLS") && k != 257) continue;
    bpf_map_update_elem(tail, &k, &fd, 0);
  }
  if (sensor_bpf__attach(s)) { perror("attach"); return 1; }
  struct ring_buffer *rb = ring_buffer__new(bpf_map__fd(s->maps.events), on_rec, 0, 0);
  pthread_t th; pthread_create(&th, 0, drain, rb);
  pid_t c = fork();
  if (!c) { execl("/usr/bin/taskset", "taskset", "-c", getenv("CPU") ? getenv("CPU") : "1", getenv("OPENLOOP") ? getenv("OPENLOOP") : "./openloop", secs, (char*)0); _exit(127); }
  waitpid(c, 0, 0);
  stop = 1; pthread_join(th, 0);
  bpf_object__for_each_program(p, s->obj) {
    struct bpf_prog_info info = {}; __u32 len = sizeof info;
    int fd = bpf_program__fd(p); if (fd < 0) continue;
    bpf_obj_get_info_by_fd(fd, &info, &len);
    if (info.run_cnt) fprintf(stderr, "  %-16s run_cnt %llu  %.0f ns/run\n", bpf_program__name(p), info.run_cnt, (double)info.run_time_ns / info.run_cnt);
  }
  fprintf(stderr, "  records %ld\n", recs);
  return 0;
}
