"""The shipped lessons grouped by chapter, in course order (from ``engine.lessons``)."""
from __future__ import annotations


def chapter_number(chapter_id) -> int | None:
    from engine.lessons import chapter

    c = chapter(chapter_id)
    return c.number if c is not None else None


def chapter_title(chapter_id) -> str:
    from engine.lessons import chapter, text

    c = chapter(chapter_id)
    return text(c.title) if c is not None else str(chapter_id or "")


def by_chapter(folder=None) -> list:
    """[(Chapter, [Entry, ...]), ...] for the chapters that have lessons, in course order."""
    from engine.lessons import catalog

    groups: list = []
    for entry in catalog(folder):
        if not groups or groups[-1][0] != entry.chapter:
            groups.append((entry.chapter, []))
        groups[-1][1].append(entry)
    return groups


def other_files(folder=None) -> list:
    """Files shipped beside the lessons that are not lessons (no lesson section, or one
    that does not load), by name: offered too, so that nothing shipped is hidden."""
    from engine.lessons import catalog, lessons_dir

    folder = lessons_dir() if folder is None else folder
    if folder is None:
        return []
    listed = {e.path.resolve() for e in catalog(folder)}
    return sorted(p for p in folder.glob("*.nnpg") if p.resolve() not in listed)
