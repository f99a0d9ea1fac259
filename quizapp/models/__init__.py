"""ORM tables only: columns, keys and constraints; the flows live in services/.

One module per feature area; everything is re-exported here so that `from quizapp.models import X` works.
"""

from .channels import Channel, Scan
from .console import ImportUpload, LoginThrottle, PreviewAttempt
from .core import (
    Attempt,
    AttemptAnswer,
    Bank,
    Contest,
    ContestLogo,
    Participant,
    ParticipantToken,
    Question,
    User,
    UTCDateTime,
    utcnow,
)
from .draw import AttemptFlag, AuditLog, Exclusion, PrizeDraw
from .insight import ItemTally, OptionTally
from .verification import PhoneCode, WechatBinding

__all__ = [
    "Attempt", "AttemptAnswer", "AttemptFlag", "AuditLog", "Bank", "Channel", "Contest", "ContestLogo", "Exclusion", "ImportUpload", "ItemTally", "LoginThrottle", "OptionTally",
    "Participant", "PhoneCode", "PreviewAttempt", "WechatBinding",
    "ParticipantToken", "PrizeDraw", "Question", "Scan", "User", "UTCDateTime", "utcnow",
]
