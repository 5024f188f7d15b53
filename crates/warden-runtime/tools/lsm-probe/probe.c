/*
 * Loads one object's programs with the verifier log on and attaches them, printing the load
 * result, errno and the log: an empty log with EPERM means the kernel refused the program
 * before the verifier ran, as opposed to a verifier rejection (which logs why).
 */
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

static char log_buf[1 << 20];

static int quiet(enum libbpf_print_level l, const char *f, va_list a) { return 0; }

int main(int argc, char **argv)
{
	libbpf_set_print(quiet);
	struct bpf_object *obj = bpf_object__open(argv[1]);
	struct bpf_program *p;

	if (!obj) {
		printf("open: %s\n", strerror(errno));
		return 1;
	}
	bpf_object__for_each_program(p, obj) {
		bpf_program__set_log_buf(p, log_buf, sizeof log_buf);
		bpf_program__set_log_level(p, 1);
	}
	int err = bpf_object__load(obj);
	bpf_object__for_each_program(p, obj) printf("%-26s", bpf_program__section_name(p));
	printf(" load: %s", err ? strerror(-err) : "ok");
	if (err) {
		printf(", verifier log: %s\n", log_buf[0] ? "written" : "empty");
		return 0;
	}
	bpf_object__for_each_program(p, obj) {
		struct bpf_link *l = bpf_program__attach(p);
		printf(", attach: %s\n", l ? "ok" : strerror(errno));
	}
	return 0;
}
