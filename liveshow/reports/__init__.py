"""After the show: the report (`liveshow report`) and the archive (`liveshow archive`).

Both read a consistent snapshot of the show's database (``snapshot``), never the live file:
``night`` turns it into the report's tables, ``figures`` draws them, ``report`` writes the
page, its images and CSV files, ``lineage`` exports who made what from what (W3C PROV-O with
a TASL attribution line per record), and ``archive`` packs the night as a BagIt bag.
"""
