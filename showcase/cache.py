"""What the last build saw, so the next one redoes only what changed.

Kept in ``<project>/.cache/showcase/`` (safe to delete at any time; ``--clean`` ignores it):

- ``entries.pickle``: every content file's parsed entry and problems, keyed by its path, size and
  modification time, so unchanged files are not read or parsed again (all of them are after site.yaml
  changes: it says how they are parsed);
- ``pages-<output>.pickle``: for each page of the last successful build, what it read (entries,
  templates, assets, pictures, globals) and a fingerprint of all of that; a page whose inputs have
  the same fingerprint now is taken from the previous output instead of being rendered;
- the signature of every input file (size and modification time), so a build with nothing changed
  stops at once.

Every cache file is written whole (temporary file, then rename) and carries the tool's code
version; one that cannot be read is ignored, which only makes the build slower, never different.
"""
from __future__ import annotations

import hashlib
import hmac
import os
import pickle
import time
from dataclasses import dataclass, field
from pathlib import Path

from .fsutil import write_atomic_with
from .output import MARKER

PACKAGE = Path(__file__).resolve().parent


def _code_version() -> str:
    """A hash of the tool's own source files: a new version of the tool starts with empty caches."""
    digest = hashlib.sha256()
    for path in sorted(PACKAGE.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


CODE_VERSION = _code_version()
RACY_SECONDS = 1.0


def cache_dir(root: Path) -> Path:
    """The project's cache folder."""
    return root / ".cache" / "showcase"


def _user_key() -> bytes | None:
    """This user's secret for signing caches, kept outside every project (made on first use).

    Caches are pickles, and unpickling runs code: a project folder received from someone else
    could carry a crafted .cache/.  Only files signed with this key are ever unpickled.
    """
    base = os.environ.get("LOCALAPPDATA") or os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    path = Path(base) / "showcase" / "cache-key"
    try:
        key = path.read_bytes()
        if len(key) == 32:
            return key
    except FileNotFoundError:
        pass
    except OSError:
        return None
    try:  # a key made by two builds at once only costs the loser its caches
        path.parent.mkdir(parents=True, exist_ok=True)
        with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as handle:
            handle.write(os.urandom(32))
        return path.read_bytes()
    except OSError:
        return None


USER_KEY = _user_key()
SIGNATURE_BYTES = 32


def sign(data: bytes) -> bytes | None:
    """data followed by its signature with this user's key (None when there is no key)."""
    if USER_KEY is None:
        return None
    return data + hmac.new(USER_KEY, data, hashlib.sha256).digest()


def verified(blob: bytes) -> memoryview | None:
    """The data of a signed blob (a view, not a copy), or None when the signature is not this user's."""
    if USER_KEY is None or len(blob) < SIGNATURE_BYTES:
        return None
    view = memoryview(blob)
    data, mac = view[:-SIGNATURE_BYTES], view[-SIGNATURE_BYTES:]
    return data if hmac.compare_digest(mac, hmac.new(USER_KEY, data, hashlib.sha256).digest()) else None


def load(path: Path):
    """The object stored in a cache file, or None when it is missing, stale, unsigned or unreadable."""
    try:
        data = verified(path.read_bytes())
        if data is None:
            return None
        version, value = pickle.loads(data)
    except Exception:  # a truncated, foreign or older cache only costs time
        return None
    return value if version == CODE_VERSION else None


class _SigningWriter:
    """A file that signs what is written through it (pickle.dump streams into it)."""

    def __init__(self, handle):
        self.handle = handle
        self.mac = hmac.new(USER_KEY, digestmod=hashlib.sha256)

    def write(self, data) -> int:
        """Write data, adding it to the signature."""
        self.mac.update(data)
        return self.handle.write(data)


def save(path: Path, value) -> None:
    """Store value in a signed cache file, atomically; a cache that cannot be written is skipped.

    The pickle streams to the file (the entry cache is 30 MB at 10,000 entries: no copy of it in memory).
    """
    if USER_KEY is None:
        return

    def fill(handle) -> None:
        signer = _SigningWriter(handle)
        pickle.dump((CODE_VERSION, value), signer, protocol=pickle.HIGHEST_PROTOCOL)
        handle.write(signer.mac.digest())

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic_with(path, fill)
    except OSError:
        pass


def stamp(path: Path) -> tuple[int, int] | None:
    """A file's size and modification time, or None when it cannot be read."""
    try:
        info = path.stat()
    except OSError:
        return None
    return info.st_size, info.st_mtime_ns


def input_stamps(site_file: Path, folders: list[Path], options: tuple) -> tuple[str, bool]:
    """A hash over the size and time of every input file and the options; and whether one changed just now."""
    recent = (time.time() - RACY_SECONDS) * 1e9
    site_stamp = stamp(site_file)
    rows = [repr((CODE_VERSION, options, site_stamp))]
    racy = site_stamp is not None and site_stamp[1] >= recent
    pending = [str(folder) for folder in folders]
    while pending:
        try:
            found = sorted(os.scandir(pending.pop()), key=lambda item: item.name)
        except OSError:
            continue
        for item in found:
            try:
                if item.is_dir():
                    pending.append(item.path)
                    continue
                info = item.stat()
            except OSError:
                continue
            racy = racy or info.st_mtime_ns >= recent
            rows.append(f"{item.path}\0{info.st_size}\0{info.st_mtime_ns}")
    return hashlib.sha256("\n".join(rows).encode("utf-8", "surrogatepass")).hexdigest(), racy


def input_signature(site_file: Path, folders: list[Path], options: tuple) -> str | None:
    """input_stamps' hash, or None when a file changed within the last second (see EntryCache):
    such a build is never taken as "nothing changed" the next time."""
    digest, racy = input_stamps(site_file, folders, options)
    return None if racy else digest


def _recent(stamp_: tuple | None, now: float) -> bool:
    """True when a file changed so recently that a later change might keep its size and time."""
    return stamp_ is not None and stamp_[1] >= (now - RACY_SECONDS) * 1e9


KEEP_OUTPUTS = 8  # output folders remembered (output/, kiosk-output/, test builds…)


def output_name(output: Path) -> str:
    """A short name for an output folder, for the cache files about it."""
    return hashlib.sha256(str(output.resolve()).encode()).hexdigest()[:12]


class LastBuild:
    """The last successful build into an output folder: its inputs' signature, the folder's marker, its warnings.

    A small file of its own, so that a build with nothing to do reads nothing else.
    """

    def __init__(self, root: Path, output: Path, enabled: bool):
        self.file = cache_dir(root) / f"last-{output_name(output)}.pickle"
        self.output = output
        self.signature, self.marker, self.warnings = (load(self.file) if enabled else None) or (None, None, [])

    def unchanged(self, signature: str | None) -> bool:
        """True when no input changed since then and the output folder is the one it wrote."""
        return signature is not None and signature == self.signature and self.marker == _marker_stamp(self.output)

    def forget(self) -> None:
        """Forget the last build, so that the next one looks at every input (the output was changed outside a build)."""
        self.file.unlink(missing_ok=True)

    def store(self, signature: str | None, warnings: list) -> None:
        """Remember a successful build (just after its output was swapped in); forget old output folders."""
        save(self.file, (signature, _marker_stamp(self.output), warnings))
        folder = self.file.parent
        lasts = sorted(folder.glob("last-*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in lasts[KEEP_OUTPUTS:]:
            name = old.name[len("last-"):-len(".pickle")]
            for stale in (old, folder / f"pages-{name}.pickle"):
                stale.unlink(missing_ok=True)
        (folder / "search.pickle").unlink(missing_ok=True)  # earlier versions' search memo (30 MB at 10,000 entries)


def _marker_stamp(output: Path):
    """The identity of the output folder's marker file: it changes whenever the folder is replaced."""
    try:
        info = (output / MARKER).stat()
    except OSError:
        return None
    return info.st_ino, info.st_mtime_ns


class EntryCache:
    """Parsed content files from earlier builds, reused while a file's size and time are unchanged.

    Each record also keeps the hash of the file's bytes, which page fingerprints use.  A file
    changed within the last second is not stored: the file system's clock may be too coarse to
    tell a second save from the first one.
    """

    def __init__(self, root: Path, enabled: bool = True, schema: str = ""):
        self.file = cache_dir(root) / "entries.pickle"
        self.schema = schema  # what parsing depends on besides the file (site.yaml's hash): records of another are dropped
        stored_schema, self.old = (load(self.file) or ("", {})) if enabled else ("", {})
        if stored_schema != schema:
            self.old = {}
        self.new: dict = {}
        self.started = time.time()

    def get(self, path: Path, source: str):
        """(entry, problems) parsed earlier from this very file, or None."""
        found = self.old.get(source)
        if found is None or found[0] != stamp(path):
            return None
        try:
            entry, problems = pickle.loads(found[2])
        except Exception:  # see load()
            return None
        self.new[source] = found
        return entry, problems

    def add(self, source: str, record: tuple):
        """Keep a record made by ``record`` (in a parse worker); return its (entry, problems)."""
        self.new[source] = record
        return pickle.loads(record[2])


    def drop_records(self) -> None:
        """Forget the pickled entries once stored (only the hashes are needed after that): 40 MB at 10,000 files."""
        self.new = {source: (found[0], found[1], None) for source, found in self.new.items()}

    def digests(self) -> dict[str, str]:
        """The hash of every content file of this build, by its path."""
        return {source: found[1] for source, found in self.new.items()}

    def store(self) -> None:
        """Write the records of this build (files that still exist, not changed just now) to disk."""
        keep = {source: found for source, found in self.new.items() if not _recent(found[0], self.started)}
        if keep.keys() != self.old.keys() or any(keep[k] is not self.old[k] for k in keep):
            save(self.file, (self.schema, keep))


def record(before: tuple | None, digest: str, entry, problems: list) -> tuple:
    """What the cache keeps of a parsed file: its stamp taken before reading, the hash of its bytes, the pickled result."""
    return before, digest, pickle.dumps((entry, problems), protocol=pickle.HIGHEST_PROTOCOL)


@dataclass
class Reads:
    """What rendering one page read: entries by key; templates, assets, pictures and globals by name."""

    entries: set = field(default_factory=set)
    templates: set = field(default_factory=set)
    assets: set = field(default_factory=set)
    pictures: set = field(default_factory=set)
    globals: set = field(default_factory=set)

    def merge(self, other: "Reads") -> None:
        """Add another fragment's reads (a cached card's) to these."""
        self.entries |= other.entries
        self.templates |= other.templates
        self.assets |= other.assets
        self.pictures |= other.pictures
        self.globals |= other.globals

    def frozen(self) -> tuple:
        """A compact, sorted form to store."""
        return tuple(tuple(sorted(s)) for s in (self.entries, self.templates, self.assets, self.pictures, self.globals))


def file_digest(path: Path) -> str:
    """The hash of a file's bytes ('' when it cannot be read)."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return ""


def digest_of(*parts) -> str:
    """A short hash of the repr of some values."""
    return hashlib.blake2b(repr(parts).encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()
