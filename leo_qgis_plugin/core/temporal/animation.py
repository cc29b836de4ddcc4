"""Exporting an animation: every frame of a time range rendered to PNG with its UK time stamped on it,
then, where an encoder is available, one animated GIF (Pillow, which comes with matplotlib) or MP4
(ffmpeg). Written frame by frame so memory stays flat however long the range."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from pathlib import Path

from qgis.core import QgsDateTimeRange, QgsFeedback, QgsMapRendererSequentialJob, QgsMapSettings
from qgis.PyQt.QtCore import QRectF, Qt
from qgis.PyQt.QtGui import QColor, QFont, QImage, QPainter

from ..exceptions import LeoError
from .clock import to_qdatetime, uk_label

MAX_FRAMES = 5000


class Movie(str, Enum):
    NONE = "none"
    GIF = "gif"
    MP4 = "mp4"


@dataclass
class AnimationResult:
    frames: list[Path]
    movie: Path | None
    note: str = ""  # why no movie was made, if one was asked for


def frame_ranges(start: datetime, end: datetime, step: timedelta) -> list[tuple[datetime, datetime]]:
    count = int((end - start) / step)
    if count < 1:
        raise LeoError("The animation's range is shorter than one frame.")
    if count > MAX_FRAMES:
        raise LeoError(f"{count:,} frames is more than {MAX_FRAMES:,}: choose a shorter range or a longer step.")
    return [(start + step * n, start + step * (n + 1)) for n in range(count)]


def export_animation(settings: QgsMapSettings, start: datetime, end: datetime, step: timedelta, folder: Path,
                     movie: Movie = Movie.GIF, frames_per_second: float = 4,
                     feedback: QgsFeedback | None = None, on_frame=None) -> AnimationResult:
    """Render frames ``frame0001.png``… into ``folder``; ``on_frame(start, end)`` runs before each (e.g. to
    move a playback layer to that half-hour)."""
    ranges = frame_ranges(start, end, step)
    folder.mkdir(parents=True, exist_ok=True)
    frames = []
    for n, (frame_start, frame_end) in enumerate(ranges):
        if feedback is not None:
            if feedback.isCanceled():
                break
            feedback.setProgress(100.0 * n / len(ranges))
        if on_frame is not None:
            on_frame(frame_start, frame_end)
        settings.setIsTemporal(True)
        settings.setTemporalRange(QgsDateTimeRange(to_qdatetime(frame_start), to_qdatetime(frame_end)))
        job = QgsMapRendererSequentialJob(settings)
        job.start()
        job.waitForFinished()
        image = job.renderedImage()
        stamp(image, uk_label(frame_start))
        path = folder / f"frame{n + 1:04d}.png"
        if not image.save(str(path), "PNG"):
            raise LeoError(f"Could not write {path} (is the disk full or the folder read-only?).")
        frames.append(path)
    if movie is Movie.NONE or not frames:
        return AnimationResult(frames, None)
    return encode(frames, folder / f"animation.{movie.value}", movie, frames_per_second)


def stamp(image: QImage, text: str) -> None:
    """The frame's time in the top left corner, dark on a light box, readable over any map."""
    painter = QPainter(image)
    font = QFont()
    font.setPixelSize(max(14, image.height() // 30))
    font.setBold(True)
    painter.setFont(font)
    box = painter.fontMetrics().boundingRect(text).adjusted(-8, -4, 8, 4)
    box.moveTo(10, 10)
    painter.fillRect(box, QColor(255, 255, 255, 215))
    painter.setPen(QColor("#202020"))
    painter.drawText(QRectF(box), Qt.AlignmentFlag.AlignCenter, text)
    painter.end()


def encode(frames: list[Path], target: Path, movie: Movie, frames_per_second: float) -> AnimationResult:
    if movie is Movie.GIF:
        try:
            from PIL import Image
        except ImportError:
            return AnimationResult(frames, None, "No GIF: it needs Pillow (apt install python3-pil); the PNG "
                                                 "frames are written.")
        images = [Image.open(path).convert("P", palette=Image.ADAPTIVE) for path in frames]
        images[0].save(target, save_all=True, append_images=images[1:], duration=int(1000 / frames_per_second),
                       loop=0)
        return AnimationResult(frames, target)
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        return AnimationResult(frames, None, "No MP4: it needs ffmpeg (apt install ffmpeg); the PNG frames are "
                                             "written, and a GIF needs nothing more.")
    result = subprocess.run([ffmpeg, "-y", "-loglevel", "error", "-framerate", f"{frames_per_second:g}", "-i",
                             str(frames[0].parent / "frame%04d.png"), "-pix_fmt", "yuv420p", "-vf",
                             "scale=trunc(iw/2)*2:trunc(ih/2)*2", str(target)], capture_output=True, text=True)
    if result.returncode != 0:
        return AnimationResult(frames, None, f"ffmpeg could not make the MP4: {result.stderr.strip()[:200]}")
    return AnimationResult(frames, target)
