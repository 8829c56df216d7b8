"""Reads a BenchmarkDotNet CSV report of MatVecBenchmarks/KQuantMatVecBenchmarks run with Kernels=now,before and prints
a Markdown table: per (type, shape, ISA) the medians (the means when BenchmarkDotNet printed no median, as for short
runs) of both builds and now/before (below 1.00 is faster), then the median ratio per ISA."""
import csv, re, sys

def micros(text):
    m = re.match(r'([\d.,]+)\s*(ns|us|μs|ms|s)', text.strip())
    value = float(m.group(1).replace(',', ''))
    return value * {'ns': 1e-3, 'us': 1, 'μs': 1, 'ms': 1e3, 's': 1e6}[m.group(2)]

rows = list(csv.DictReader(open(sys.argv[1], encoding='utf-8-sig')))
stat = 'Median' if rows and 'Median' in rows[0] else 'Mean'
cases = {}
for r in rows:
    key = (r['Type'], r['Shape'], r['Isa'])
    cases.setdefault(key, {})[r['Kernels']] = micros(r[stat])
print(f'({stat} of each case)\n')
print('| type | shape | ISA | before µs | now µs | now / before |')
print('| --- | --- | --- | ---: | ---: | ---: |')
worst = 0
by_isa = {}
for (t, shape, isa), v in sorted(cases.items()):
    if 'now' in v and 'before' in v:
        ratio = v['now'] / v['before']
        worst = max(worst, ratio)
        by_isa.setdefault(isa, []).append(ratio)
        print(f'| {t} | {shape} | {isa} | {v["before"]:,.1f} | {v["now"]:,.1f} | {ratio:.3f} |')
print(f'\nworst now/before: {worst:.3f}')
for isa, ratios in sorted(by_isa.items()):
    ratios.sort()
    n = len(ratios)
    median = ratios[n // 2] if n % 2 else (ratios[n // 2 - 1] + ratios[n // 2]) / 2
    print(f'median now/before, {isa}: {median:.3f} over {n} cases (min {ratios[0]:.3f}, max {ratios[-1]:.3f})')
