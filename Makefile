# The two commands of the README: `make run` and `make test`. Each installs what is missing
# (Debian packages, as root), builds, and is quiet when everything is in place.
DB ?= data/onecard.db
export ONECARD_DB := $(abspath $(DB))

.PHONY: run test deps bench bench-http format clean

run: deps
	@tools/build.sh release
	@tools/run.sh

test:
	@tools/install-deps.sh test
	@tools/test.sh

deps:
	@tools/install-deps.sh

# Benchmarks (release build): see bench/README.md.
bench:
	@tools/install-deps.sh bench
	@tools/build.sh release
	@build/release/bench/onecard_bench

# The HTTP benchmark (wrk against the release `onecard serve`): see bench/README.md.
bench-http:
	@tools/install-deps.sh bench
	@tools/build.sh release
	@bench/http/run.sh

format:
	@git ls-files -co --exclude-standard -- '*.cpp' '*.hpp' | xargs clang-format -i

clean:
	rm -rf build
