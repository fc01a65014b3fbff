"""The camera core: sources, chroma keying, take recording and the per-camera capture loop.

The camera agent (`liveshow camera`) builds one `CameraPipeline` per camera on a source from
`open_source` (usually wrapped in a `ReconnectingSource`) and drives it from the crew's
commands. OpenCV runs here, in the agent's process, never under the server's event loop.
"""

from __future__ import annotations

from .keying import ChromaKeyer, KeySettings, sample_key_colour
from .pipeline import (
    CameraPipeline,
    PipelineConfig,
    PipelineStats,
    TakeRefused,
    auto_preset,
    encode_jpeg,
)
from .recorder import RecorderError, TakeFile, TakeRecorder, recover, recover_all
from .sources import (
    Frame,
    FrameSource,
    ReconnectingSource,
    SourceError,
    SourceState,
    SyntheticSource,
    cover,
    open_source,
)
from .take import TakeResult

__all__ = [
    "CameraPipeline",
    "ChromaKeyer",
    "Frame",
    "FrameSource",
    "KeySettings",
    "PipelineConfig",
    "PipelineStats",
    "ReconnectingSource",
    "RecorderError",
    "SourceError",
    "SourceState",
    "SyntheticSource",
    "TakeFile",
    "TakeRecorder",
    "TakeRefused",
    "TakeResult",
    "auto_preset",
    "cover",
    "encode_jpeg",
    "open_source",
    "recover",
    "recover_all",
    "sample_key_colour",
]
