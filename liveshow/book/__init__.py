"""The night's tiny book: the approved stories, drawings and photos of a show as a
print-ready A5 booklet (``liveshow book``): ``night`` (what goes in), ``layout`` (HTML and
CSS paged media), ``render`` (WeasyPrint), ``imposition`` (pypdf), ``cli`` (the command)."""
