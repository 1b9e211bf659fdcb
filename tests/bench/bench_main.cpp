// obs_bench's main: Google Benchmark's, plus `--busy`, which runs every benchmark with a
// competing busy process, as on a desktop where a browser or a compiler holds the other core.
//
//   build/obs_bench --busy --benchmark_filter=Threads
//
// The competitor is a child process that spins on one core until the benchmark ends (or dies:
// the kernel kills it with its parent). It is a process, not a thread of ours, so the scheduler
// treats it as the foreign load it stands for. It is started before anything else runs, so the
// fork copies no OpenMP threads.
#include <benchmark/benchmark.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <vector>

namespace {

[[noreturn]] void spin_until_parent_dies(pid_t parent) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != parent) _exit(0);  // the parent died before prctl took effect
  volatile unsigned long long x = 0;
  for (;;) x = x + 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<char*> args;
  bool busy = false;
  for (int i = 0; i < argc; ++i) {
    if (i > 0 && std::strcmp(argv[i], "--busy") == 0) busy = true;
    else args.push_back(argv[i]);
  }
  int n = static_cast<int>(args.size());
  pid_t competitor = -1;
  if (busy) {
    const pid_t parent = getpid();
    competitor = fork();
    if (competitor < 0) {
      std::perror("obs_bench: fork of the competing load");
      return 1;
    }
    if (competitor == 0) spin_until_parent_dies(parent);
    benchmark::AddCustomContext("competing_load", "one busy process (--busy)");
  }
  benchmark::Initialize(&n, args.data());
  if (benchmark::ReportUnrecognizedArguments(n, args.data())) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  if (competitor > 0) {
    kill(competitor, SIGKILL);
    waitpid(competitor, nullptr, 0);
  }
  return 0;
}
