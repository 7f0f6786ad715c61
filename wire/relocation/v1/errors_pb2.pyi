from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ImportErrorKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    IMPORT_ERROR_KIND_UNSPECIFIED: _ClassVar[ImportErrorKind]
    IMPORT_ERROR_KIND_UNKNOWN: _ClassVar[ImportErrorKind]
    IMPORT_ERROR_KIND_DATABASE_ERROR: _ClassVar[ImportErrorKind]
    IMPORT_ERROR_KIND_DESERIALIZATION_FAILED: _ClassVar[ImportErrorKind]
    IMPORT_ERROR_KIND_INCORRECT_SILO_MODE_FOR_MODEL: _ClassVar[ImportErrorKind]
    IMPORT_ERROR_KIND_INTEGRITY_ERROR: _ClassVar[ImportErrorKind]
    IMPORT_ERROR_KIND_INVALID_MIN_ORDINAL: _ClassVar[ImportErrorKind]
    IMPORT_ERROR_KIND_MISSING_IMPORT_UUID: _ClassVar[ImportErrorKind]
    IMPORT_ERROR_KIND_UNKNOWN_MODEL: _ClassVar[ImportErrorKind]
    IMPORT_ERROR_KIND_UNEXPECTED_MODEL: _ClassVar[ImportErrorKind]
    IMPORT_ERROR_KIND_UNSPECIFIED_SCOPE: _ClassVar[ImportErrorKind]
    IMPORT_ERROR_KIND_VALIDATION_ERROR: _ClassVar[ImportErrorKind]
    IMPORT_ERROR_KIND_IMPORT_UUID_MISMATCH: _ClassVar[ImportErrorKind]
    IMPORT_ERROR_KIND_SILO_UNAVAILABLE: _ClassVar[ImportErrorKind]
    IMPORT_ERROR_KIND_MESSAGE_TOO_LARGE: _ClassVar[ImportErrorKind]
    IMPORT_ERROR_KIND_ROLLBACK_REFUSED: _ClassVar[ImportErrorKind]
IMPORT_ERROR_KIND_UNSPECIFIED: ImportErrorKind
IMPORT_ERROR_KIND_UNKNOWN: ImportErrorKind
IMPORT_ERROR_KIND_DATABASE_ERROR: ImportErrorKind
IMPORT_ERROR_KIND_DESERIALIZATION_FAILED: ImportErrorKind
IMPORT_ERROR_KIND_INCORRECT_SILO_MODE_FOR_MODEL: ImportErrorKind
IMPORT_ERROR_KIND_INTEGRITY_ERROR: ImportErrorKind
IMPORT_ERROR_KIND_INVALID_MIN_ORDINAL: ImportErrorKind
IMPORT_ERROR_KIND_MISSING_IMPORT_UUID: ImportErrorKind
IMPORT_ERROR_KIND_UNKNOWN_MODEL: ImportErrorKind
IMPORT_ERROR_KIND_UNEXPECTED_MODEL: ImportErrorKind
IMPORT_ERROR_KIND_UNSPECIFIED_SCOPE: ImportErrorKind
IMPORT_ERROR_KIND_VALIDATION_ERROR: ImportErrorKind
IMPORT_ERROR_KIND_IMPORT_UUID_MISMATCH: ImportErrorKind
IMPORT_ERROR_KIND_SILO_UNAVAILABLE: ImportErrorKind
IMPORT_ERROR_KIND_MESSAGE_TOO_LARGE: ImportErrorKind
IMPORT_ERROR_KIND_ROLLBACK_REFUSED: ImportErrorKind

class ImportError(_message.Message):
    __slots__ = ("kind", "model", "ordinal", "left_pk", "right_pk", "reason")
    KIND_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    ORDINAL_FIELD_NUMBER: _ClassVar[int]
    LEFT_PK_FIELD_NUMBER: _ClassVar[int]
    RIGHT_PK_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    kind: ImportErrorKind
    model: str
    ordinal: int
    left_pk: int
    right_pk: int
    reason: str
    def __init__(self, kind: _Optional[_Union[ImportErrorKind, str]] = ..., model: _Optional[str] = ..., ordinal: _Optional[int] = ..., left_pk: _Optional[int] = ..., right_pk: _Optional[int] = ..., reason: _Optional[str] = ...) -> None: ...
