"""The examples under examples/python and the README's Python quick start,
shortened (DLC_DATASET_LIMIT / --limit: a few thousand images, one epoch):
each must run, learn (its loss falls, accuracy above chance where it
classifies) and write its pictures."""
import os
import re
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXAMPLES = os.path.join(ROOT, "examples", "python")


def run(args, cwd, env=None):
    e = dict(os.environ, **(env or {}))
    e.setdefault("DLC_BUILD_DIR", os.path.join(ROOT, "build"))
    proc = subprocess.run([sys.executable, *args], cwd=cwd, env=e, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-4000:]
    return proc.stdout


def number(pattern, text):
    m = re.search(pattern, text)
    assert m, f"no {pattern!r} in:\n{text[-2000:]}"
    return [float(g) for g in m.groups()]


def test_mlp(tmp_path):
    out = run([os.path.join(EXAMPLES, "fashion_mnist.py"), "--model", "mlp", "--epochs", "1",
               "--limit", "3000", "--out", str(tmp_path)], tmp_path)
    first, last, acc = number(r"loss ([\d.]+) -> ([\d.]+); test accuracy ([\d.]+)", out)
    assert last < first and acc > 0.7, out
    assert (tmp_path / "mlp_curves.png").stat().st_size > 10000


def test_cnn(tmp_path):
    out = run([os.path.join(EXAMPLES, "fashion_mnist.py"), "--model", "cnn", "--epochs", "1",
               "--limit", "1500", "--out", str(tmp_path)], tmp_path)
    first, last, acc = number(r"loss ([\d.]+) -> ([\d.]+); test accuracy ([\d.]+)", out)
    assert last < first and acc > 0.6 and (tmp_path / "cnn_curves.png").exists(), out


def test_resnet(tmp_path):
    out = run([os.path.join(EXAMPLES, "resnet.py"), "--epochs", "1", "--limit", "1000",
               "--width", "8", "--out", str(tmp_path)], tmp_path)
    first, last, acc = number(r"loss ([\d.]+) -> ([\d.]+); test accuracy ([\d.]+)", out)
    assert last < first and acc > 0.25, out  # chance: 0.1


def test_transformer(tmp_path):
    out = run([os.path.join(EXAMPLES, "transformer.py"), "--epochs", "3", "--train", "2000", "--layers", "1",
               "--out", str(tmp_path)], tmp_path)
    first, last, acc = number(r"loss ([\d.]+) -> ([\d.]+); test accuracy ([\d.]+)", out)
    assert last < first and acc > 0.5, out


def test_vae(tmp_path):
    out = run([os.path.join(EXAMPLES, "vae.py"), "--epochs", "2", "--limit", "3000",
               "--out", str(tmp_path)], tmp_path)
    first, last, _ = number(r"-ELBO ([\d.]+) -> ([\d.]+) \(test ([\d.]+)\)", out)
    assert last < first, out
    assert (tmp_path / "vae_samples.png").stat().st_size > 10000
    assert (tmp_path / "vae_reconstructions.png").exists()


def test_gan(tmp_path):
    out = run([os.path.join(EXAMPLES, "gan.py"), "--epochs", "1", "--limit", "2000",
               "--out", str(tmp_path)], tmp_path)
    d_loss, g_loss = number(r"gan: D loss ([\d.]+), G loss ([\d.]+)", out)
    assert 0 < d_loss < 5 and 0 < g_loss < 20, out
    assert (tmp_path / "gan_samples.png").stat().st_size > 10000


def readme_quick_start():
    text = open(os.path.join(ROOT, "README.md")).read()
    section = text[text.index("## Python"):]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


def test_readme_quick_start(tmp_path):
    code = readme_quick_start()
    assert len(code.strip().splitlines()) <= 15, "the quick start is at most 15 lines"
    script = tmp_path / "quick_start.py"
    script.write_text(f"import sys\nsys.path.insert(0, {os.path.join(ROOT, 'python')!r})\n" + code)
    out = run([str(script)], tmp_path, {"DLC_DATASET_LIMIT": "2000"})
    (acc,) = number(r"test accuracy ([\d.]+)", out)
    assert acc > 0.6, out
    assert (tmp_path / "fashion_mnist.png").exists()
