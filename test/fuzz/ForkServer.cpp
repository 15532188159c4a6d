//===- ForkServer.cpp - run a tool's main on many inputs, one fork each
//----===//
//
// The mutation campaign (mutate_campaign.py, issue 18) runs `dlc FILE
// --emit=mlir` on 10^5 files. Starting the dlc process (loading libLLVM and
// libMLIR, registering their options) costs more than importing a small
// model, so this server runs the tool's own main() in a forked child per
// request instead: the same code and the same command line, crash isolation
// and limits as a fresh process, without the exec.
//
// Requests on stdin, one per line, fields separated by tabs:
//   OUTFILE  TIMEOUT_S  ARG0  ARG1 ...
// The child's stdout and stderr go to OUTFILE, its address space is limited
// to DLC_FORK_SERVER_AS_MB (8192) MiB and its CPU time to TIMEOUT_S seconds
// (RLIMIT_CPU: on a shared machine, or at nice 19 next to a build, wall time
// says how busy the machine is, not whether the tool hangs); a child that
// lives 10 x TIMEOUT_S of wall time without using it (blocked) is killed too.
// Run it with LD_BIND_NOW=1 so that the children inherit resolved symbols.
// One reply line per request on stdout: "exit N" or "signal N" (over either
// limit: "timeout").
//
// `--to-text IN OUT...` writes models as ONNX text instead. Built twice:
// dlc-fork-server-dlc (tools/dlc's main) and dlc-fork-server-run
// (tools/dlc-run's main); see CMakeLists.txt.
//
//===----------------------------------------------------------------------===//

#include "onnx/defs/printer.h"
#include "onnx/defs/schema.h"
#include "onnx/onnx_pb.h"
#include "llvm/Support/raw_ostream.h"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <fstream>
#include <iostream>
#include <string>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

int dlc_tool_main(int argc, char **argv);

static std::vector<std::string> split(const std::string &line) {
  std::vector<std::string> fields;
  size_t start = 0;
  while (true) {
    size_t tab = line.find('\t', start);
    fields.push_back(line.substr(start, tab - start));
    if (tab == std::string::npos)
      return fields;
    start = tab + 1;
  }
}

/// `--to-text IN.onnx OUT.onnxtxt ...`: writes each model as ONNX text (the
/// seeds of the campaign's text mutations; libonnx 1.12's printer prints
/// graphs, not models).
static int toText(int argc, char **argv) {
  int failures = 0;
  for (int i = 2; i + 1 < argc; i += 2) {
    std::ifstream in(argv[i], std::ios::binary);
    onnx::ModelProto model;
    if (!model.ParseFromIstream(&in)) {
      ++failures;
      continue;
    }
    std::ofstream out(argv[i + 1]);
    out << "<\n  ir_version: " << model.ir_version() << ",\n  opset_import: [";
    for (int k = 0; k < model.opset_import_size(); ++k)
      out << (k ? ", " : "") << '"' << model.opset_import(k).domain()
          << "\" : " << model.opset_import(k).version();
    out << "]\n>\n" << model.graph() << "\n";
  }
  return failures != 0;
}

int main(int argc, char **argv) {
  if (argc > 1 && std::string(argv[1]) == "--to-text")
    return toText(argc, argv);
  long asMb = 8192;
  if (const char *env = std::getenv("DLC_FORK_SERVER_AS_MB"))
    asMb = std::strtol(env, nullptr, 10);
  // Build ONNX's schema registry once, here, not in every child.
  (void)onnx::OpSchemaRegistry::Schema("Add", 17, "");
  std::string line;
  while (std::getline(std::cin, line)) {
    std::vector<std::string> f = split(line);
    if (f.size() < 3) {
      std::printf("error bad request\n");
      std::fflush(stdout);
      continue;
    }
    int timeout = std::atoi(f[1].c_str());
    std::fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) {
      std::printf("error fork: %s\n", std::strerror(errno));
      std::fflush(stdout);
      continue;
    }
    if (pid == 0) {
      int fd = open(f[0].c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (fd < 0)
        _exit(120);
      dup2(fd, 1);
      dup2(fd, 2);
      close(fd);
      // The child must not touch the requests: at exit, glibc seeks a read
      // stream's descriptor back over what it buffered, which would move the
      // offset the parent shares.
      int devNull = open("/dev/null", O_RDONLY);
      dup2(devNull, 0);
      close(devNull);
      struct rlimit limit = {rlim_t(asMb) << 20, rlim_t(asMb) << 20};
      setrlimit(RLIMIT_AS, &limit);
      struct rlimit cpu = {rlim_t(timeout), rlim_t(timeout) + 1};
      setrlimit(RLIMIT_CPU, &cpu);
      std::vector<char *> argv;
      for (size_t i = 2; i < f.size(); ++i)
        argv.push_back(f[i].data());
      argv.push_back(nullptr);
      int rc = dlc_tool_main(int(argv.size() - 1), argv.data());
      // Exit without the static destructors (ONNX's schema registry, LLVM's
      // options): they cost more than a small model's import.
      llvm::outs().flush();
      llvm::errs().flush();
      std::fflush(nullptr);
      _exit(rc);
    }
    // Wait, killing the child when it outlives 10 x the timeout (the CPU
    // limit above ends a busy one first: SIGXCPU, then SIGKILL).
    int status = 0;
    bool timedOut = false;
    struct rusage usage = {};
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (int polls = 0;; ++polls) {
      pid_t r = wait4(pid, &status, WNOHANG, &usage);
      if (r == pid)
        break;
      clock_gettime(CLOCK_MONOTONIC, &now);
      if (now.tv_sec - start.tv_sec >= 10L * timeout && !timedOut) {
        kill(pid, SIGKILL);
        timedOut = true;
      }
      usleep(polls < 200 ? 1000 : 10000);
    }
    double cpuS = usage.ru_utime.tv_sec + usage.ru_stime.tv_sec +
                  1e-6 * (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec);
    if (WIFSIGNALED(status) &&
        (WTERMSIG(status) == SIGXCPU ||
         (WTERMSIG(status) == SIGKILL && cpuS >= timeout)))
      timedOut = true;
    if (timedOut)
      std::printf("timeout\n");
    else if (WIFSIGNALED(status))
      std::printf("signal %d\n", WTERMSIG(status));
    else
      std::printf("exit %d\n", WEXITSTATUS(status));
    std::fflush(stdout);
  }
  return 0;
}
