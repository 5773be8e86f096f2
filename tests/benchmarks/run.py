"""`make bench`: every benchmark, each printing ratios measured in one run."""
import importlib
import sys

BENCHES = ["bench_mlp", "bench_library", "bench_session", "bench_timeline", "bench_editor", "bench_gui"]


def main():
    for name in BENCHES:
        try:
            mod = importlib.import_module(f"tests.benchmarks.{name}")
        except ModuleNotFoundError as exc:
            if exc.name and exc.name.endswith(name):
                continue  # that part of the app has no benchmark yet
            raise
        print(f"\n=== {name} ===", flush=True)
        mod.main()
    return 0


if __name__ == "__main__":
    sys.exit(main())
