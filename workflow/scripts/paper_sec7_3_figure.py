"""Rule sec7_3_figure: figures 15-17 of section 7.3 on images (sibench.paper.sec7_3_plot.write_sec7_3_figure)."""
import json

from sibench.io import logged
from sibench.paper.sec7_3_plot import write_sec7_3_figure

with logged(snakemake.log[0], snakemake.threads):
    info = json.loads(open(snakemake.input.classifier).read())
    o = snakemake.output
    write_sec7_3_figure(snakemake.input.csv, snakemake.input.npz, snakemake.params.labels, info["shape"], o.png,
                        o.csv, snakemake.params.scale)
