"""CPU time stolen by the hypervisor during a span, read from /proc/stat."""
from bench.measure.steal import StealMeter, cpu_times


def stat_file(tmp_path, ticks):
    path = tmp_path / "stat"
    path.write_text("cpu  " + " ".join(map(str, ticks)) + " 0 0\ncpu0 1 2 3\n")
    return str(path)


def test_stolen_and_total_ticks(tmp_path):
    path = stat_file(tmp_path, [100, 0, 50, 800, 10, 0, 5, 35])
    assert cpu_times(path) == (35, 1000)
    assert cpu_times(str(tmp_path / "missing")) is None


def test_the_share_stolen_inside_a_span():
    readings = iter([(10, 1000), (60, 1500)])            # 50 of 500 ticks stolen
    with StealMeter(read=lambda: next(readings)) as meter:
        pass
    assert meter.share == 0.1


def test_unknown_where_there_is_no_reading():
    with StealMeter(read=lambda: None) as meter:
        pass
    assert meter.share is None


def test_this_machine_gives_a_share_or_none():
    with StealMeter() as meter:
        sum(range(100000))
    assert meter.share is None or 0.0 <= meter.share <= 1.0
