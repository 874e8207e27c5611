"""sibench.samples: the samples-file codec round-trips, keeps the text of the keys the bridge metrics are
seeded with, and tells final sample sets, NFE entries and marginals apart."""
from __future__ import annotations

import pytest

from sibench.samples import (META, X0, SampleKey, decode, encode, final_keys, marginal_names, nfe_name,
                             ode_sampler_name, sde_sampler_name)

KEYS = [SampleKey("ode-heun", 0.0, 10), SampleKey("sde-em", 0.5, 100), SampleKey("sde-em", 0.1, 50),
        SampleKey("sde-em", 2, 7), SampleKey("sde-heun", 1e-5, 3), SampleKey("sde-em", 0.123456789, 20),
        SampleKey("sde-em", 1 / 3, 1)]


@pytest.mark.parametrize("key", KEYS, ids=str)
def test_keys_round_trip(key):
    assert decode(encode(key)) == key
    for t in (0.25, 0.5, 0.1, 1 / 3, 0.999):
        marginal = key.at(t)
        assert marginal.t == t and marginal.final == key
        assert decode(encode(marginal)) == marginal
    assert decode(nfe_name(key)) is None and decode(nfe_name(key.at(0.5))) is None
    assert nfe_name(key.at(0.5)) == nfe_name(key)


def test_text_of_keys_is_unchanged():
    """The text seeds the bridge metrics' random numbers (and names the arrays of existing files)."""
    assert encode(SampleKey("sde-em", 0.5, 100)) == "sde-em__eps0.5__steps100"
    assert encode(SampleKey("ode-heun", 0, 50)) == "ode-heun__eps0__steps50"
    assert encode(SampleKey("sde-em", 2.0, 50)) == "sde-em__eps2__steps50"
    assert encode(SampleKey("sde-em", 0.1, 50).at(0.25)) == "sde-em__eps0.1__steps50__t0.25"
    assert nfe_name(SampleKey("sde-em", 0.1, 50)) == "nfe__sde-em__eps0.1__steps50"
    # a number that format(v, "g") would round is written exactly
    assert float(encode(SampleKey("sde-em", 0.123456789, 5)).split("__")[1][3:]) == 0.123456789


def test_file_layout_is_read_back():
    key, other = SampleKey("ode-heun", 0.0, 10), SampleKey("sde-em", 0.5, 20)
    names = [X0, META, encode(key), nfe_name(key), encode(other), nfe_name(other), encode(other.at(0.25)),
             encode(other.at(0.75))]
    assert final_keys(names) == [key, other]
    assert marginal_names(names, other) == {0.25: encode(other.at(0.25)), 0.75: encode(other.at(0.75))}
    assert marginal_names(names, key) == {}
    assert decode(X0) is None and decode(META) is None


def test_bad_keys_and_names_are_rejected():
    for bad in ("", "sde__em", "nfe__x", "x0", "meta"):
        with pytest.raises(ValueError, match="sampler name"):
            SampleKey(bad, 0.0, 1)
    with pytest.raises(ValueError, match="steps"):
        SampleKey("ode-heun", 0.0, 0)
    with pytest.raises(ValueError, match="steps"):
        SampleKey("ode-heun", 0.0, 2.5)
    with pytest.raises(ValueError, match="not an entry"):
        decode("ode-heun_eps0_steps10")


def test_sampler_names():
    assert ode_sampler_name("heun") == "ode-heun"
    assert sde_sampler_name("euler-maruyama") == "sde-em" and sde_sampler_name("heun") == "sde-heun"
