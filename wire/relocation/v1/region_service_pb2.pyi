from wire.relocation.v1 import models_pb2 as _models_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class SlugUpdate(_message.Message):
    __slots__ = ("organization_id", "slug")
    ORGANIZATION_ID_FIELD_NUMBER: _ClassVar[int]
    SLUG_FIELD_NUMBER: _ClassVar[int]
    organization_id: int
    slug: str
    def __init__(self, organization_id: _Optional[int] = ..., slug: _Optional[str] = ...) -> None: ...

class UpdateOrganizationSlugsRequest(_message.Message):
    __slots__ = ("updates",)
    UPDATES_FIELD_NUMBER: _ClassVar[int]
    updates: _containers.RepeatedCompositeFieldContainer[SlugUpdate]
    def __init__(self, updates: _Optional[_Iterable[_Union[SlugUpdate, _Mapping]]] = ...) -> None: ...

class UpdateOrganizationSlugsResponse(_message.Message):
    __slots__ = ("updated",)
    UPDATED_FIELD_NUMBER: _ClassVar[int]
    updated: int
    def __init__(self, updated: _Optional[int] = ...) -> None: ...

class StoreControlChunkReplicaRequest(_message.Message):
    __slots__ = ("import_uuid", "model", "min_ordinal", "max_ordinal", "min_source_pk", "max_source_pk", "min_inserted_pk", "max_inserted_pk", "mapped")
    IMPORT_UUID_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    MIN_ORDINAL_FIELD_NUMBER: _ClassVar[int]
    MAX_ORDINAL_FIELD_NUMBER: _ClassVar[int]
    MIN_SOURCE_PK_FIELD_NUMBER: _ClassVar[int]
    MAX_SOURCE_PK_FIELD_NUMBER: _ClassVar[int]
    MIN_INSERTED_PK_FIELD_NUMBER: _ClassVar[int]
    MAX_INSERTED_PK_FIELD_NUMBER: _ClassVar[int]
    MAPPED_FIELD_NUMBER: _ClassVar[int]
    import_uuid: str
    model: str
    min_ordinal: int
    max_ordinal: int
    min_source_pk: int
    max_source_pk: int
    min_inserted_pk: int
    max_inserted_pk: int
    mapped: _models_pb2.PkMapColumns
    def __init__(self, import_uuid: _Optional[str] = ..., model: _Optional[str] = ..., min_ordinal: _Optional[int] = ..., max_ordinal: _Optional[int] = ..., min_source_pk: _Optional[int] = ..., max_source_pk: _Optional[int] = ..., min_inserted_pk: _Optional[int] = ..., max_inserted_pk: _Optional[int] = ..., mapped: _Optional[_Union[_models_pb2.PkMapColumns, _Mapping]] = ...) -> None: ...

class StoreControlChunkReplicaResponse(_message.Message):
    __slots__ = ("created",)
    CREATED_FIELD_NUMBER: _ClassVar[int]
    created: bool
    def __init__(self, created: _Optional[bool] = ...) -> None: ...
