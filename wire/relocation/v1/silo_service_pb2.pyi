from wire.relocation.v1 import models_pb2 as _models_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ImportState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    IMPORT_STATE_UNSPECIFIED: _ClassVar[ImportState]
    IMPORT_STATE_PARTIAL: _ClassVar[ImportState]
    IMPORT_STATE_COMPLETE: _ClassVar[ImportState]
    IMPORT_STATE_ROLLING_BACK: _ClassVar[ImportState]
    IMPORT_STATE_ROLLED_BACK: _ClassVar[ImportState]
IMPORT_STATE_UNSPECIFIED: ImportState
IMPORT_STATE_PARTIAL: ImportState
IMPORT_STATE_COMPLETE: ImportState
IMPORT_STATE_ROLLING_BACK: ImportState
IMPORT_STATE_ROLLED_BACK: ImportState

class DescribeModelsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class DescribeModelsResponse(_message.Message):
    __slots__ = ("silo", "region_name", "models", "schema_revision")
    SILO_FIELD_NUMBER: _ClassVar[int]
    REGION_NAME_FIELD_NUMBER: _ClassVar[int]
    MODELS_FIELD_NUMBER: _ClassVar[int]
    SCHEMA_REVISION_FIELD_NUMBER: _ClassVar[int]
    silo: _models_pb2.Silo
    region_name: str
    models: _containers.RepeatedCompositeFieldContainer[_models_pb2.ModelDescription]
    schema_revision: str
    def __init__(self, silo: _Optional[_Union[_models_pb2.Silo, str]] = ..., region_name: _Optional[str] = ..., models: _Optional[_Iterable[_Union[_models_pb2.ModelDescription, _Mapping]]] = ..., schema_revision: _Optional[str] = ...) -> None: ...

class ImportFlags(_message.Message):
    __slots__ = ("merge_users", "overwrite_configs", "import_uuid", "hide_organizations")
    MERGE_USERS_FIELD_NUMBER: _ClassVar[int]
    OVERWRITE_CONFIGS_FIELD_NUMBER: _ClassVar[int]
    IMPORT_UUID_FIELD_NUMBER: _ClassVar[int]
    HIDE_ORGANIZATIONS_FIELD_NUMBER: _ClassVar[int]
    merge_users: bool
    overwrite_configs: bool
    import_uuid: str
    hide_organizations: bool
    def __init__(self, merge_users: _Optional[bool] = ..., overwrite_configs: _Optional[bool] = ..., import_uuid: _Optional[str] = ..., hide_organizations: _Optional[bool] = ...) -> None: ...

class ImportFilter(_message.Message):
    __slots__ = ("model", "field", "values")
    MODEL_FIELD_NUMBER: _ClassVar[int]
    FIELD_FIELD_NUMBER: _ClassVar[int]
    VALUES_FIELD_NUMBER: _ClassVar[int]
    model: str
    field: str
    values: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, model: _Optional[str] = ..., field: _Optional[str] = ..., values: _Optional[_Iterable[str]] = ...) -> None: ...

class ImportByModelRequest(_message.Message):
    __slots__ = ("model", "scope", "flags", "filters", "json_records", "min_ordinal", "pk_map")
    MODEL_FIELD_NUMBER: _ClassVar[int]
    SCOPE_FIELD_NUMBER: _ClassVar[int]
    FLAGS_FIELD_NUMBER: _ClassVar[int]
    FILTERS_FIELD_NUMBER: _ClassVar[int]
    JSON_RECORDS_FIELD_NUMBER: _ClassVar[int]
    MIN_ORDINAL_FIELD_NUMBER: _ClassVar[int]
    PK_MAP_FIELD_NUMBER: _ClassVar[int]
    model: str
    scope: _models_pb2.ImportScope
    flags: ImportFlags
    filters: _containers.RepeatedCompositeFieldContainer[ImportFilter]
    json_records: bytes
    min_ordinal: int
    pk_map: _containers.RepeatedCompositeFieldContainer[_models_pb2.PkMapColumns]
    def __init__(self, model: _Optional[str] = ..., scope: _Optional[_Union[_models_pb2.ImportScope, str]] = ..., flags: _Optional[_Union[ImportFlags, _Mapping]] = ..., filters: _Optional[_Iterable[_Union[ImportFilter, _Mapping]]] = ..., json_records: _Optional[bytes] = ..., min_ordinal: _Optional[int] = ..., pk_map: _Optional[_Iterable[_Union[_models_pb2.PkMapColumns, _Mapping]]] = ...) -> None: ...

class NameFilter(_message.Message):
    __slots__ = ("names",)
    NAMES_FIELD_NUMBER: _ClassVar[int]
    names: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, names: _Optional[_Iterable[str]] = ...) -> None: ...

class SourceFingerprint(_message.Message):
    __slots__ = ("size", "sha256")
    SIZE_FIELD_NUMBER: _ClassVar[int]
    SHA256_FIELD_NUMBER: _ClassVar[int]
    size: int
    sha256: str
    def __init__(self, size: _Optional[int] = ..., sha256: _Optional[str] = ...) -> None: ...

class BindImportRequest(_message.Message):
    __slots__ = ("scope", "flags", "org_slugs", "usernames", "source")
    SCOPE_FIELD_NUMBER: _ClassVar[int]
    FLAGS_FIELD_NUMBER: _ClassVar[int]
    ORG_SLUGS_FIELD_NUMBER: _ClassVar[int]
    USERNAMES_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    scope: _models_pb2.ImportScope
    flags: ImportFlags
    org_slugs: NameFilter
    usernames: NameFilter
    source: SourceFingerprint
    def __init__(self, scope: _Optional[_Union[_models_pb2.ImportScope, str]] = ..., flags: _Optional[_Union[ImportFlags, _Mapping]] = ..., org_slugs: _Optional[_Union[NameFilter, _Mapping]] = ..., usernames: _Optional[_Union[NameFilter, _Mapping]] = ..., source: _Optional[_Union[SourceFingerprint, _Mapping]] = ...) -> None: ...

class BindImportResponse(_message.Message):
    __slots__ = ("bound_before",)
    BOUND_BEFORE_FIELD_NUMBER: _ClassVar[int]
    bound_before: bool
    def __init__(self, bound_before: _Optional[bool] = ...) -> None: ...

class ImportByModelResponse(_message.Message):
    __slots__ = ("min_ordinal", "max_ordinal", "min_source_pk", "max_source_pk", "min_inserted_pk", "max_inserted_pk", "from_ledger", "mapped", "dropped", "regenerated")
    class DroppedEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: int
        def __init__(self, key: _Optional[str] = ..., value: _Optional[int] = ...) -> None: ...
    MIN_ORDINAL_FIELD_NUMBER: _ClassVar[int]
    MAX_ORDINAL_FIELD_NUMBER: _ClassVar[int]
    MIN_SOURCE_PK_FIELD_NUMBER: _ClassVar[int]
    MAX_SOURCE_PK_FIELD_NUMBER: _ClassVar[int]
    MIN_INSERTED_PK_FIELD_NUMBER: _ClassVar[int]
    MAX_INSERTED_PK_FIELD_NUMBER: _ClassVar[int]
    FROM_LEDGER_FIELD_NUMBER: _ClassVar[int]
    MAPPED_FIELD_NUMBER: _ClassVar[int]
    DROPPED_FIELD_NUMBER: _ClassVar[int]
    REGENERATED_FIELD_NUMBER: _ClassVar[int]
    min_ordinal: int
    max_ordinal: int
    min_source_pk: int
    max_source_pk: int
    min_inserted_pk: int
    max_inserted_pk: int
    from_ledger: bool
    mapped: _models_pb2.PkMapColumns
    dropped: _containers.ScalarMap[str, int]
    regenerated: _containers.RepeatedCompositeFieldContainer[RegeneratedSecret]
    def __init__(self, min_ordinal: _Optional[int] = ..., max_ordinal: _Optional[int] = ..., min_source_pk: _Optional[int] = ..., max_source_pk: _Optional[int] = ..., min_inserted_pk: _Optional[int] = ..., max_inserted_pk: _Optional[int] = ..., from_ledger: _Optional[bool] = ..., mapped: _Optional[_Union[_models_pb2.PkMapColumns, _Mapping]] = ..., dropped: _Optional[_Mapping[str, int]] = ..., regenerated: _Optional[_Iterable[_Union[RegeneratedSecret, _Mapping]]] = ...) -> None: ...

class RegeneratedSecret(_message.Message):
    __slots__ = ("old_pk", "field", "old_value", "new_value")
    OLD_PK_FIELD_NUMBER: _ClassVar[int]
    FIELD_FIELD_NUMBER: _ClassVar[int]
    OLD_VALUE_FIELD_NUMBER: _ClassVar[int]
    NEW_VALUE_FIELD_NUMBER: _ClassVar[int]
    old_pk: int
    field: str
    old_value: str
    new_value: str
    def __init__(self, old_pk: _Optional[int] = ..., field: _Optional[str] = ..., old_value: _Optional[str] = ..., new_value: _Optional[str] = ...) -> None: ...

class ExportByModelRequest(_message.Message):
    __slots__ = ("model", "scope", "batch_size")
    MODEL_FIELD_NUMBER: _ClassVar[int]
    SCOPE_FIELD_NUMBER: _ClassVar[int]
    BATCH_SIZE_FIELD_NUMBER: _ClassVar[int]
    model: str
    scope: _models_pb2.ImportScope
    batch_size: int
    def __init__(self, model: _Optional[str] = ..., scope: _Optional[_Union[_models_pb2.ImportScope, str]] = ..., batch_size: _Optional[int] = ...) -> None: ...

class ExportByModelResponse(_message.Message):
    __slots__ = ("json_records", "count")
    JSON_RECORDS_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    json_records: bytes
    count: int
    def __init__(self, json_records: _Optional[bytes] = ..., count: _Optional[int] = ...) -> None: ...

class CompleteImportRequest(_message.Message):
    __slots__ = ("import_uuid",)
    IMPORT_UUID_FIELD_NUMBER: _ClassVar[int]
    import_uuid: str
    def __init__(self, import_uuid: _Optional[str] = ...) -> None: ...

class CompleteImportResponse(_message.Message):
    __slots__ = ("known",)
    KNOWN_FIELD_NUMBER: _ClassVar[int]
    known: bool
    def __init__(self, known: _Optional[bool] = ...) -> None: ...

class ListImportsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ImportSummary(_message.Message):
    __slots__ = ("import_uuid", "scope", "started_at", "finished_at", "rolled_back_at", "source", "records_written", "state")
    IMPORT_UUID_FIELD_NUMBER: _ClassVar[int]
    SCOPE_FIELD_NUMBER: _ClassVar[int]
    STARTED_AT_FIELD_NUMBER: _ClassVar[int]
    FINISHED_AT_FIELD_NUMBER: _ClassVar[int]
    ROLLED_BACK_AT_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    RECORDS_WRITTEN_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    import_uuid: str
    scope: _models_pb2.ImportScope
    started_at: int
    finished_at: int
    rolled_back_at: int
    source: SourceFingerprint
    records_written: int
    state: ImportState
    def __init__(self, import_uuid: _Optional[str] = ..., scope: _Optional[_Union[_models_pb2.ImportScope, str]] = ..., started_at: _Optional[int] = ..., finished_at: _Optional[int] = ..., rolled_back_at: _Optional[int] = ..., source: _Optional[_Union[SourceFingerprint, _Mapping]] = ..., records_written: _Optional[int] = ..., state: _Optional[_Union[ImportState, str]] = ...) -> None: ...

class ListImportsResponse(_message.Message):
    __slots__ = ("imports",)
    IMPORTS_FIELD_NUMBER: _ClassVar[int]
    imports: _containers.RepeatedCompositeFieldContainer[ImportSummary]
    def __init__(self, imports: _Optional[_Iterable[_Union[ImportSummary, _Mapping]]] = ...) -> None: ...

class RollbackImportRequest(_message.Message):
    __slots__ = ("import_uuid", "cascade", "dry_run")
    IMPORT_UUID_FIELD_NUMBER: _ClassVar[int]
    CASCADE_FIELD_NUMBER: _ClassVar[int]
    DRY_RUN_FIELD_NUMBER: _ClassVar[int]
    import_uuid: str
    cascade: bool
    dry_run: bool
    def __init__(self, import_uuid: _Optional[str] = ..., cascade: _Optional[bool] = ..., dry_run: _Optional[bool] = ...) -> None: ...

class RowReference(_message.Message):
    __slots__ = ("model", "pk", "field", "target_model", "target_pk")
    MODEL_FIELD_NUMBER: _ClassVar[int]
    PK_FIELD_NUMBER: _ClassVar[int]
    FIELD_FIELD_NUMBER: _ClassVar[int]
    TARGET_MODEL_FIELD_NUMBER: _ClassVar[int]
    TARGET_PK_FIELD_NUMBER: _ClassVar[int]
    model: str
    pk: int
    field: str
    target_model: str
    target_pk: int
    def __init__(self, model: _Optional[str] = ..., pk: _Optional[int] = ..., field: _Optional[str] = ..., target_model: _Optional[str] = ..., target_pk: _Optional[int] = ...) -> None: ...

class RollbackImportResponse(_message.Message):
    __slots__ = ("known", "referencing", "referencing_count", "cascaded", "deleted", "restored", "finished")
    KNOWN_FIELD_NUMBER: _ClassVar[int]
    REFERENCING_FIELD_NUMBER: _ClassVar[int]
    REFERENCING_COUNT_FIELD_NUMBER: _ClassVar[int]
    CASCADED_FIELD_NUMBER: _ClassVar[int]
    DELETED_FIELD_NUMBER: _ClassVar[int]
    RESTORED_FIELD_NUMBER: _ClassVar[int]
    FINISHED_FIELD_NUMBER: _ClassVar[int]
    known: bool
    referencing: _containers.RepeatedCompositeFieldContainer[RowReference]
    referencing_count: int
    cascaded: bool
    deleted: int
    restored: int
    finished: bool
    def __init__(self, known: _Optional[bool] = ..., referencing: _Optional[_Iterable[_Union[RowReference, _Mapping]]] = ..., referencing_count: _Optional[int] = ..., cascaded: _Optional[bool] = ..., deleted: _Optional[int] = ..., restored: _Optional[int] = ..., finished: _Optional[bool] = ...) -> None: ...
