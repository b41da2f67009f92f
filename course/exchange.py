"""The instructor's side of nbgrader's local exchange, made safe for a shared machine (JupyterHub).

nbgrader's ``collect`` (``nbgrader.exchange.default.collect``) trusts the exchange's ``inbound/``
folder, which every student can write into (mode 2733: write and enter, not list):

- a folder named ``<another student>+<assignment>+<timestamp>`` is collected as that student's
  submission: nbgrader only *warns* that its owner differs (``check_owner``), and the newest
  folder wins, so a student could replace a classmate's submission;
- ``shutil.copytree`` follows symbolic links: a link to ``gradebook.db``, ``source/`` or any file
  the instructor can read is copied into ``submitted/`` as the student's file, and from there into
  the folder the student's notebook is graded in (and whatever it prints lands in the feedback);
- a folder over ``CourseDirectory.max_dir_size`` raises in the middle of the loop: one student's
  huge submission stops the collection of the whole class.

Every student controls their own ``submit`` (their server, their config, or ``cp`` by hand), so
the checks belong to collect. ``SafeCollect`` (selected by ``configure``, from
``course.grading.setup.configure``): a submission whose folder is not owned by the student it
names is refused; symbolic links and anything that is not a regular file or folder are skipped;
files over ``CourseDirectory.max_file_size`` are skipped (nbgrader's own rule); a submission still
over ``CourseDirectory.max_dir_size`` is refused. Each refusal is logged and the rest of the class
is collected. ``MAX_FILE_KB`` and ``MAX_DIR_KB`` are the course's limits (nbgrader counts 1000 bytes
to a kilobyte).
"""

import glob
import os
import pwd
import shutil
import stat

from nbgrader.exchange.default.collect import ExchangeCollect

MAX_FILE_KB = 20_000  # 20 MB: the largest file an assignment ships is 0.3 MB, a solved notebook about 1 MB
MAX_DIR_KB = 50_000  # 50 MB for one submission


def configure(c):
    """Select :class:`SafeCollect` and the course's size limits in the nbgrader config ``c``."""
    c.ExchangeFactory.collect = "course.exchange.SafeCollect"
    c.CourseDirectory.max_file_size = MAX_FILE_KB
    c.CourseDirectory.max_dir_size = MAX_DIR_KB


def owner(path):
    """The user name owning ``path`` (not following a link), or its uid as text."""
    uid = os.lstat(path).st_uid
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


def regular_files(src, max_file_size_kb, log=None):
    """``(relative path, size)`` of the regular files under ``src`` that may be copied, and the
    list of what was skipped, as ``(relative path, reason)``. Links are never followed."""
    keep, skipped = [], []
    for folder, dirnames, filenames in os.walk(src, followlinks=False):
        for name in list(dirnames):
            path = os.path.join(folder, name)
            if os.path.islink(path):
                dirnames.remove(name)
                skipped.append((os.path.relpath(path, src), "a symbolic link"))
        for name in filenames:
            path = os.path.join(folder, name)
            relative = os.path.relpath(path, src)
            info = os.lstat(path)
            if stat.S_ISLNK(info.st_mode):
                skipped.append((relative, "a symbolic link"))
            elif not stat.S_ISREG(info.st_mode):
                skipped.append((relative, "not a regular file"))
            elif max_file_size_kb and info.st_size > 1000 * max_file_size_kb:
                skipped.append((relative, f"{info.st_size} bytes, over {max_file_size_kb} kB"))
            else:
                keep.append((relative, info.st_size))
    return keep, skipped


class SafeCollect(ExchangeCollect):
    """nbgrader's collect, refusing what ``course.exchange`` lists (module docstring)."""

    def init_src(self):
        # nbgrader's choice (the newest submission of each student; with before_duedate, the newest
        # one before the due date), made among the submissions that are not refused: a forged newer
        # folder must not hide the student's own
        super().init_src()
        student_id = self.coursedir.student_id or "*"
        pattern = os.path.join(self.inbound_path, f"{student_id}+{self.coursedir.assignment_id}+*")
        groups = {}
        for path in sorted(glob.glob(pattern)):
            record = self._path_to_record(path)
            if not self.refused(path, record["username"]):
                groups.setdefault(record["username"], []).append(record)
        self.src_records = []
        for records in groups.values():
            records = self._sort_by_timestamp(records)
            if self.duedate is not None and self.before_duedate:
                before = [record for record in records if record["timestamp"] <= self.duedate]
                records = before or records
            self.src_records.append(records[0])

    def refused(self, path, student):
        """Why the submission folder ``path`` of ``student`` is refused (logged), or None."""
        found = owner(path)
        if os.path.islink(path) or not os.path.isdir(path):
            reason = "not a folder (a link or a file)"
        elif found != student and self.check_owner:
            reason = f"it names {student} but belongs to {found}"
        else:
            return None
        self.log.error("Refusing %s: %s", path, reason)
        return reason

    def copy_files(self):
        # nbgrader's loop, with a failing submission refused instead of stopping the class
        self.refused = []
        records, self.src_records = self.src_records, []
        for record in records:
            self.src_records = [record]
            try:
                super().copy_files()
            except SubmissionRefused as error:
                self.refused.append((record["username"], str(error)))
                self.log.error("Refusing the submission of %s: %s", record["username"], error)
        self.src_records = records

    def do_copy(self, src, dest, log=None):
        keep, skipped = regular_files(src, self.coursedir.max_file_size)
        for relative, reason in skipped:
            self.log.warning("Skipping %s in %s: %s", relative, src, reason)
        total = sum(size for _, size in keep)
        if total > 1000 * self.coursedir.max_dir_size:
            raise SubmissionRefused(f"{total} bytes, over {self.coursedir.max_dir_size} kB")
        ignore = shutil.ignore_patterns(*self.coursedir.ignore)
        os.makedirs(dest, exist_ok=True)
        for relative, _ in keep:
            parts = relative.split(os.sep)
            if any(ignore(os.path.dirname(relative), [part]) for part in parts):
                continue
            target = os.path.join(dest, relative)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            source = os.path.join(src, relative)
            # O_NOFOLLOW: a file swapped for a link after the walk is not followed either
            fd = os.open(source, os.O_RDONLY | os.O_NOFOLLOW)
            with os.fdopen(fd, "rb") as reader, open(target, "wb") as writer:
                shutil.copyfileobj(reader, writer)
            shutil.copystat(source, target, follow_symlinks=False)


class SubmissionRefused(Exception):
    """A submission that is not collected (too large)."""
