"""Rule sec5_3_rectify: the section 5.3 rectification claim (sibench.paper.sec5_3_rectify.write_rectification)."""
from sibench.devices import device_of
from sibench.io import logged
from sibench.paper.sec5_3_rectify import write_rectification

with logged(snakemake.log[0], snakemake.threads):
    o = snakemake.output
    write_rectification(snakemake.input.source, snakemake.input.rectified, snakemake.params.settings,
                        device_of(snakemake.params.device), o.csv, o.png)
