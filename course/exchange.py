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

nbgrader's ``release_feedback`` leaves each feedback page readable by every account (644), named by a
hash of its student's submission secret: anyone who learns the name reads the page.
``PrivateReleaseFeedback`` gives the page a POSIX ACL, readable by its owner (the instructor), the
owner's group and the student it belongs to, and nobody else. Where the student is not an account
of this machine (a one-user course) or the file system has no ACLs, the page stays as nbgrader
made it, and that is logged.
"""

import glob
import os
import pwd
import re
import shutil
import stat
import struct

from nbgrader.exchange.default.collect import ExchangeCollect
from nbgrader.exchange.default.release_feedback import ExchangeReleaseFeedback
from nbgrader.utils import notebook_hash

MAX_FILE_KB = 20_000  # 20 MB: the largest file an assignment ships is 0.3 MB, a solved notebook about 1 MB
MAX_DIR_KB = 50_000  # 50 MB for one submission


def configure(c):
    """Select :class:`SafeCollect`, :class:`PrivateReleaseFeedback` and the course's size limits in the
    nbgrader config ``c``."""
    c.ExchangeFactory.collect = "course.exchange.SafeCollect"
    c.ExchangeFactory.release_feedback = "course.exchange.PrivateReleaseFeedback"
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


# Linux's POSIX ACL extended attribute (acl_ea_header and acl_ea_entry of <linux/posix_acl_xattr.h>)
ACL_XATTR = "system.posix_acl_access"
ACL_VERSION, USER_OBJ, USER, GROUP_OBJ, MASK, OTHER = 2, 0x01, 0x02, 0x04, 0x10, 0x20
NO_ID = 0xFFFFFFFF


def readable_by(uid):
    """The ACL: the owner reads and writes, the owner's group and the user ``uid`` read, others nothing."""
    entries = [(USER_OBJ, 6, NO_ID), (USER, 4, uid), (GROUP_OBJ, 4, NO_ID), (MASK, 4, NO_ID), (OTHER, 0, NO_ID)]
    return struct.pack("<I", ACL_VERSION) + b"".join(struct.pack("<HHI", *entry) for entry in entries)


class PrivateReleaseFeedback(ExchangeReleaseFeedback):
    """nbgrader's release_feedback, each page readable by its own student only (module docstring)."""

    def copy_files(self):
        super().copy_files()
        for student, page in self.released_pages():
            self.restrict(page, student)

    def released_pages(self):
        """``(student, page in the exchange)`` for every feedback page of this release, named as
        nbgrader's ``copy_files`` names them."""
        folder = self.coursedir.format_path(
            self.coursedir.feedback_directory, "(?P<student_id>.*)", self.coursedir.assignment_id, escape=True
        )
        pattern = re.escape(os.path.sep).join([folder, "(?P<notebook_id>.*).html"])
        excluded = set(filter(None, (self.coursedir.student_id_exclude or "").split(",")))
        pages = []
        for html_file in glob.glob(os.path.join(self.src_path, "*.html")):
            match = re.match(pattern, html_file)
            if match is None or match["student_id"] in excluded:
                continue
            with open(os.path.join(os.path.dirname(html_file), "submission_secret.txt")) as handle:
                secret = handle.read()
            name = f"{notebook_hash(secret=secret, notebook_id=match['notebook_id'])}.html"
            pages.append((match["student_id"], os.path.join(self.dest_path, name)))
        return pages

    def restrict(self, page, student):
        """Make ``page`` readable by ``student``'s account (and the instructor's) only; returns whether it
        could."""
        try:
            uid = pwd.getpwnam(student).pw_uid
        except KeyError:
            self.log.info("Feedback of %s left as nbgrader made it: %s is not an account here", student, student)
            return False
        try:
            os.setxattr(page, ACL_XATTR, readable_by(uid), follow_symlinks=False)
        except OSError as error:
            self.log.warning("Feedback of %s left readable by every account (no POSIX ACL: %s)", student, error)
            return False
        return True
