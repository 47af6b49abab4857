"""``wganlab bench``: the benchmark of the training step (measure), its workloads, the Keras-fit
baseline it is compared with, and the table and CSV it writes (report)."""

from wganlab.bench.measure import VARIANTS, BenchSettings, register, run_bench
from wganlab.bench.report import COLUMNS, CONTRACT_COLUMNS, Row, format_table, write_csv
from wganlab.bench.workloads import WORKLOADS

__all__ = ["COLUMNS", "CONTRACT_COLUMNS", "BenchSettings", "Row", "VARIANTS", "WORKLOADS", "format_table",
           "register", "run_bench", "write_csv"]
