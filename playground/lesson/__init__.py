"""Lessons in the app: the start page (lesson browser), the lesson pane beside the canvas
(text page by page, buttons that do what the text says, the goals checklist) and what
opening a lesson sets (classroom speed, panels). The lesson format and the goal evaluator
live in the engine (``engine.lessons``); this package only shows them."""
