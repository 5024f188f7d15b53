# Groups `perf report -n --sort symbol` lines of the traced loop into what the sensor adds;
# the same groups as bench/watch.sh part (c). Prints one Markdown row labelled r.
/^ +[0-9.]+%/ {
  p = $1 + 0; n += $2; s = $4
  if (s ~ /^(syscall_exit_work|syscall_trace_enter|bpf_trace_run[0-9]|__bpf_trace_sys_exit)$/) g["hook"] += p
  else if (s ~ /^bpf_prog_/) g["prog"] += p
  else if (s ~ /^(read_tsc|ktime_get.*|bpf_ktime_get.*)$/) g["time"] += p
  else if (s ~ /ringbuf/) g["ring"] += p
  else if (s ~ /^(bpf_probe_read.*|.*_nofault.*|copy_from_kernel.*)$/) g["read"] += p
  else if (s ~ /^(bpf_get_.*|bpf_map_.*|__bpf_.*|bpf_tail_call)$/) g["help"] += p
}
END {
  t = g["hook"] + g["prog"] + g["time"] + g["ring"] + g["read"] + g["help"]
  printf "| %s | %s | %.1f%% | %.1f%% | %.1f%% | %.1f%% | %.1f%% | %.1f%% | %.1f%% | %.1f%% |\n",
    r, n, g["hook"], g["prog"], g["time"], g["ring"], g["read"], g["help"], t, t / (100 - t) * 100
}
