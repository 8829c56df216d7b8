"""Reads a BenchmarkDotNet CSV report of MatVecBenchmarks/KQuantMatVecBenchmarks run with Kernels=now,before and prints
a Markdown table: per (type, shape, ISA) the medians of both builds and now/before (below 1.00 is faster)."""
import csv, re, sys

def micros(text):
    m = re.match(r'([\d.,]+)\s*(ns|us|μs|ms|s)', text.strip())
    value = float(m.group(1).replace(',', ''))
    return value * {'ns': 1e-3, 'us': 1, 'μs': 1, 'ms': 1e3, 's': 1e6}[m.group(2)]

rows = list(csv.DictReader(open(sys.argv[1], encoding='utf-8-sig')))
cases = {}
for r in rows:
    key = (r['Type'], r['Shape'], r['Isa'])
    cases.setdefault(key, {})[r['Kernels']] = micros(r['Median'])
print('| type | shape | ISA | before µs | now µs | now / before |')
print('| --- | --- | --- | ---: | ---: | ---: |')
worst = 0
for (t, shape, isa), v in sorted(cases.items()):
    if 'now' in v and 'before' in v:
        ratio = v['now'] / v['before']
        worst = max(worst, ratio)
        print(f'| {t} | {shape} | {isa} | {v["before"]:,.1f} | {v["now"]:,.1f} | {ratio:.3f} |')
print(f'\nworst now/before: {worst:.3f}')
