"""A small sweep with every paper figure configured: its models are partly the sweep's, partly the figures' own."""

BASE = {
    "name": "t", "seeds": [0, 1], "eps": [0, 0.5],
    "train": {"steps": 100, "batch": 64, "lr": 2e-3, "lr_decay": 0.5, "lr_every": 50, "hidden": 16, "depth": 2,
              "antithetic": True},
    "sampling": {"n": 50, "ode": {"method": "heun", "steps": [5]}, "sde": {"method": "euler-maruyama", "steps": [5]}},
    "likelihood": {"enabled": False, "n": 5, "ode_method": "rk4", "ode_steps": 2, "divergence": "exact",
                   "sde_steps": 2, "sde_paths": 2, "sde_estimators": ["score"]},
    "evaluation": {"floor_repeats": 1, "bridge_times": [0.5], "field_n": 0},
    "methods": {"osl-bs": {"path": "one-sided-linear", "objective": "b,s"},
                "linear-vs": {"path": "linear", "gamma": "brownian", "objective": "v,s", "label": "v and s"},
                "sb-bs": {"path": "linear", "gamma": "brownian", "a": "sigma2", "objective": "b,s",
                          "coupling": "entropic", "coupling_reg": "2sigma2"},
                "fm-b": {"path": "linear", "gamma": "zero", "objective": "b"}},
    "benchmarks": {"gauss-checkerboard": {"methods": ["osl-bs"]},
                   "hd-mixture-d16": {"methods": ["linear-vs"]},
                   "sb-gauss-d2-s1": {"methods": ["sb-bs", "fm-b"]}},
    "paper_figures": {
        "density": {},
        "checkerboard": {"panels": [
            {"benchmark": "gauss-checkerboard", "path": "one-sided-linear", "objective": "b,s", "label": "x"},
            {"benchmark": "gauss-checkerboard", "path": "one-sided-linear", "objective": "b,eta", "t_max": 0.99}]},
        "likelihood": {"dims": [4, 16], "method": {"path": "linear", "gamma": "brownian", "objective": "v,s"},
                       "short_steps": 10, "eps": [0.5]},
        "bridge": {},
    },
}
