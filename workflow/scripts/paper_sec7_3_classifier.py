"""Rule sec7_3_classifier: the section 7.3 classifier on the held-out images
(sibench.paper.sec7_3_classifier.train_classifier)."""
from sibench.io import logged
from sibench.paper.sec7_3_classifier import save_classifier, train_classifier
from sibench.paper.sec7_models import load_split

with logged(snakemake.log[0], snakemake.threads):
    net, info = train_classifier(load_split(snakemake.params.data), **snakemake.params.settings)
    print(info, flush=True)
    save_classifier(net, info, snakemake.output.model)
