"""The thread count for generation: one thread an idle core, and one thread once a step stalls."""

import os

import pytest

from tutor.demos import threads
from tutor.demos.threads import ThreadGuard, choose_threads, idle_cores, torch_threads

# /proc/stat's format: cpuN user nice system idle iowait irq softirq steal (in jiffies)
STAT = """cpu  {total}
cpu0 {a} 0 0 {a_idle} 0 0 0 0 0 0
cpu1 {b} 0 0 {b_idle} 0 0 0 0 0 0
intr 12345
"""


def write_stat(path, a, a_idle, b, b_idle):
    path.write_text(STAT.format(total="0 0 0 0", a=a, a_idle=a_idle, b=b, b_idle=b_idle), encoding="ascii")


def test_idle_cores_counts_the_idle_share_of_each_core(tmp_path, monkeypatch):
    stat = tmp_path / "stat"
    monkeypatch.setattr(threads, "PROC_STAT", str(stat))
    write_stat(stat, a=100, a_idle=100, b=100, b_idle=100)

    def sleep(_seconds):  # while the probe waits: core 0 busy all the time, core 1 busy a quarter
        write_stat(stat, a=200, a_idle=100, b=125, b_idle=175)

    monkeypatch.setattr(threads.time, "sleep", sleep)
    assert idle_cores([0, 1]) == pytest.approx(0.0 + 0.75)
    assert idle_cores([1]) == 1.0  # no time passed between the reads: nothing measured, taken as idle


def test_without_proc_stat_the_load_average_decides(tmp_path, monkeypatch):
    monkeypatch.setattr(threads, "PROC_STAT", str(tmp_path / "missing"))
    monkeypatch.setattr(threads.os, "getloadavg", lambda: (1.4, 1.0, 1.0))
    assert idle_cores([0, 1, 2, 3]) == pytest.approx(2.6)
    monkeypatch.setattr(threads.os, "getloadavg", lambda: (9.0, 1.0, 1.0))
    assert idle_cores([0, 1]) == 0.0


@pytest.mark.parametrize(("idle", "chosen"), [(2.0, 2), (1.8, 2), (1.7, 1), (1.0, 1), (0.2, 1), (0.0, 1)])
def test_one_thread_an_idle_core(monkeypatch, idle, chosen):
    monkeypatch.setattr(threads, "usable_cores", lambda: [0, 1])
    monkeypatch.setattr(threads, "idle_cores", lambda cores: idle)
    assert choose_threads() == chosen
    assert choose_threads(limit=1) == 1


def test_the_real_probe_stays_within_the_usable_cores():
    cores = threads.usable_cores()
    assert cores and set(cores) <= set(range(os.cpu_count() or 1))
    assert 0.0 <= idle_cores(cores) <= len(cores) + 1e-9
    assert 1 <= choose_threads() <= len(cores)


def test_a_stalled_step_drops_to_one_thread_for_good():
    guard = ThreadGuard(2)
    # the prompt (slow), then steady steps; the first steps alone never decide
    assert [guard.after_step(s) for s in (0.2, 0.02, 0.021, 0.02, 0.045)] == [2, 2, 2, 2, 2]
    assert guard.after_step(0.06) == 1  # 3x the fastest step: a core was taken
    assert guard.after_step(0.02) == 1  # it does not go back
    single = ThreadGuard(1)
    assert [single.after_step(s) for s in (0.02, 0.02, 0.02, 0.02, 0.5)] == [1] * 5


def test_torch_threads_puts_the_previous_count_back():
    import torch

    before = torch.get_num_threads()
    with torch_threads(1):
        assert torch.get_num_threads() == 1
    assert torch.get_num_threads() == before
