// onecard: wiring only. Everything it does is in src/cli (RunCli) and the layers below.
#include <iostream>
#include <string>
#include <vector>

#include "cli/cli.hpp"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  return onecard::cli::RunCli(args, std::cout, std::cerr);
}
