"""Run inside desktop QGIS (`qgis --code`) by scripts/bench_walkthrough.sh: the README walk-through through
the real widgets, a 10 ms heartbeat timer on QGIS's UI thread measuring the longest stall of each step.
Writes a JSON report to $LEO_BENCH_OUT (steps, message-log errors, screenshots), then quits QGIS."""

import json
import os
import threading
import time
import traceback

import qgis.utils
from qgis.core import (
    Qgis,
    QgsApplication,
    QgsNetworkAccessManager,  # noqa: E402
    QgsProject,
)
from qgis.PyQt.QtCore import QTimer

OUT = os.environ["LEO_BENCH_OUT"]
# The catalogue server builds a dataset's GeoPackage before sending its first byte (over a minute for the
# year of half-hours on a busy machine): past QGIS's 60 s network timeout. This profile allows 5 minutes.
QgsNetworkAccessManager.setTimeout(300_000)
SHOTS = os.environ.get("LEO_BENCH_SHOTS", "")
report = {"steps": [], "log": []}


def logged(message, tag, level):
    if int(level) >= int(Qgis.Critical) or "Traceback" in message:
        report["log"].append(f"[{tag}] {message[:500]}")


QgsApplication.messageLog().messageReceived.connect(logged)
def shown(_widget):
    item = qgis.utils.iface.messageBar().currentItem()
    if item is not None and item.level() >= Qgis.Warning:
        report["log"].append(f"[message bar] {item.text()[:500]}")


qgis.utils.iface.messageBar().widgetAdded.connect(shown)


class Heartbeat:
    """Ticks every 10 ms; a tick that comes late means the UI thread was busy (or the GIL held) that long."""

    def __init__(self):
        self.last = time.perf_counter()
        self.worst = 0.0
        self.timer = QTimer()
        self.timer.timeout.connect(self.tick)
        self.timer.start(10)

    def tick(self):
        now = time.perf_counter()
        self.worst = max(self.worst, (now - self.last) * 1000 - 10)
        self.last = now

    def take(self):
        worst, self.worst, self.last = self.worst, 0.0, time.perf_counter()
        return worst


# With LEO_BENCH_TRACE=1, what the UI thread was doing during the longest stall (sampled every 20 ms).
TRACE = os.environ.get("LEO_BENCH_TRACE") == "1"
samples = []
if TRACE:
    import collections
    import sys

    def sample():
        main = threading.main_thread().ident
        while True:
            frame = sys._current_frames().get(main)
            where = " <- ".join(f"{f.f_code.co_filename.split('/')[-1]}:{f.f_lineno}:{f.f_code.co_name}"
                                for f in _frames(frame, 6)) if frame is not None else "<C++>"
            samples.append((time.perf_counter(), where))
            del samples[:-5000]
            time.sleep(0.02)

    def _frames(frame, depth):
        while frame is not None and depth:
            yield frame
            frame, depth = frame.f_back, depth - 1

    threading.Thread(target=sample, daemon=True).start()
    _tick = Heartbeat.tick

    def traced_tick(self):
        now = time.perf_counter()
        if now - self.last > 0.1:
            found = collections.Counter(w for t, w in list(samples) if self.last <= t <= now)
            report.setdefault("stalls", []).append({"ms": round((now - self.last) * 1000),
                                                    "where": found.most_common(3)})
        _tick(self)

    Heartbeat.tick = traced_tick
beat = Heartbeat()
steps = []


def step(name, start, done, timeout=600):
    steps.append((name, start, done, timeout))


def finish():
    report["project_crs"] = QgsProject.instance().crs().authid()
    report["layer_tree"] = [n.name() for n in QgsProject.instance().layerTreeRoot().children()]
    with open(OUT, "w") as out:
        json.dump(report, out, indent=1)
    QgsProject.instance().setDirty(False)
    qgis.utils.iface.actionExit().trigger()


def shoot(name):
    if SHOTS:
        qgis.utils.iface.mapCanvas().saveAsImage(os.path.join(SHOTS, f"walkthrough-{name}.png"))


def run_next():
    if not steps:
        finish()
        return
    name, start, done, timeout = steps.pop(0)
    beat.take()
    began = time.perf_counter()
    try:
        start()
    except Exception:  # noqa: BLE001 - reported, the walk-through goes on
        report["steps"].append({"step": name, "error": traceback.format_exc()})
        QTimer.singleShot(200, run_next)
        return

    def poll():
        try:
            ok = done()
        except Exception:  # noqa: BLE001
            ok, report["log"] = False, report["log"] + [traceback.format_exc()]
        seconds = time.perf_counter() - began
        if ok or seconds > timeout:
            report["steps"].append({"step": name, "longest_stall_ms": round(beat.take()), "seconds": round(seconds, 1),
                                    "done": bool(ok)})
            print("STEP", report["steps"][-1], flush=True)
            for stall in report.pop("stalls", []):
                print("  STALL", stall, flush=True)
            QTimer.singleShot(1500, run_next)  # let the canvas draw before the next step
        else:
            QTimer.singleShot(50, poll)

    QTimer.singleShot(50, poll)


plugin = qgis.utils.plugins["leo_qgis_plugin"]
project = QgsProject.instance()
items = {}


def layers_of(dataset_id):
    return [lyr for lyr in project.mapLayers().values() if lyr.customProperty("leo_qgis/dataset/id") == dataset_id]


def list_browser():
    from leo_qgis_plugin.gui.browser import LeoDataItemProvider

    def fetch():  # as QGIS's Browser does: in a thread of its own
        (connection,) = LeoDataItemProvider().createDataItem("", None).createChildren()
        items.update({item.dataset_id: item for item in connection.createChildren()})

    threading.Thread(target=fetch).start()


def browser_open(*dataset_ids):
    def start():
        for dataset_id in dataset_ids:
            items[dataset_id].handleDoubleClick()
    return start


step("Browser: list the LEO catalogue", list_browser, lambda: len(items) > 5, 60)
step("2. Browser: headroom and supply areas", browser_open("ssen-headroom", "ssen-primary-areas"),
     lambda: layers_of("ssen-headroom") and layers_of("ssen-primary-areas"), 120)
step("4. Browser: the half-hourly load (a year, downloaded)", browser_open("substation-load-hh"),
     lambda: layers_of("substation-load-hh"), 900)
dock = {}


def panel_add_load():
    dock["catalogue"] = plugin.open_panel("catalogue")
    dock["catalogue"].search.setText("load")


def panel_ready():
    records = dock["catalogue"].records
    if not any(r.id == "substation-load-hh" for r in records):
        return False
    if "clicked" not in dock:
        dock["clicked"] = True
        dock["catalogue"].list.setCurrentRow(next(i for i, r in enumerate(records) if r.id == "substation-load-hh"))
        dock["catalogue"].add.click()
    return len(layers_of("substation-load-hh")) >= 2


step("6. Panel: the half-hourly load again (cached copy)", panel_add_load, panel_ready, 300)
step("7. Network constraints overlay",
     lambda: plugin.open_panel("constraints").add_button.click(),
     lambda: project.layerTreeRoot().findGroup("SSEN network constraints") is not None
     and len(project.layerTreeRoot().findGroup("SSEN network constraints").findLayers()) == 3, 120)
step("screenshot: overlay", lambda: shoot("overlay"), lambda: True, 5)


def fast_playback():
    load = layers_of("substation-load-hh")[0]
    qgis.utils.iface.setActiveLayer(load)
    plugin.open_panel("time").fast.click()


step("12. Fast playback", fast_playback,
     lambda: any(lyr.name().endswith("(playback)") for lyr in project.mapLayers().values()), 300)
frames = {"n": 0}


def next_frames():
    controller = qgis.utils.iface.mapCanvas().temporalController()

    def one():
        if frames["n"] < 12:
            frames["n"] += 1
            controller.next()
            QTimer.singleShot(300, one)
    one()


step("Temporal Controller: 12 frames", next_frames, lambda: frames["n"] >= 12, 60)
step("screenshot: playback", lambda: shoot("playback"), lambda: True, 5)
QTimer.singleShot(3000, run_next)
