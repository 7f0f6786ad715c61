from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Silo(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SILO_UNSPECIFIED: _ClassVar[Silo]
    SILO_CONTROL: _ClassVar[Silo]
    SILO_REGION: _ClassVar[Silo]

class RelocationScope(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    RELOCATION_SCOPE_UNSPECIFIED: _ClassVar[RelocationScope]
    RELOCATION_SCOPE_EXCLUDED: _ClassVar[RelocationScope]
    RELOCATION_SCOPE_USER: _ClassVar[RelocationScope]
    RELOCATION_SCOPE_ORGANIZATION: _ClassVar[RelocationScope]
    RELOCATION_SCOPE_CONFIG: _ClassVar[RelocationScope]
    RELOCATION_SCOPE_GLOBAL: _ClassVar[RelocationScope]

class ImportScope(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    IMPORT_SCOPE_UNSPECIFIED: _ClassVar[ImportScope]
    IMPORT_SCOPE_USER: _ClassVar[ImportScope]
    IMPORT_SCOPE_ORGANIZATION: _ClassVar[ImportScope]
    IMPORT_SCOPE_CONFIG: _ClassVar[ImportScope]
    IMPORT_SCOPE_GLOBAL: _ClassVar[ImportScope]

class ImportKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    IMPORT_KIND_UNSPECIFIED: _ClassVar[ImportKind]
    IMPORT_KIND_INSERTED: _ClassVar[ImportKind]
    IMPORT_KIND_EXISTING: _ClassVar[ImportKind]
    IMPORT_KIND_OVERWRITE: _ClassVar[ImportKind]
SILO_UNSPECIFIED: Silo
SILO_CONTROL: Silo
SILO_REGION: Silo
RELOCATION_SCOPE_UNSPECIFIED: RelocationScope
RELOCATION_SCOPE_EXCLUDED: RelocationScope
RELOCATION_SCOPE_USER: RelocationScope
RELOCATION_SCOPE_ORGANIZATION: RelocationScope
RELOCATION_SCOPE_CONFIG: RelocationScope
RELOCATION_SCOPE_GLOBAL: RelocationScope
IMPORT_SCOPE_UNSPECIFIED: ImportScope
IMPORT_SCOPE_USER: ImportScope
IMPORT_SCOPE_ORGANIZATION: ImportScope
IMPORT_SCOPE_CONFIG: ImportScope
IMPORT_SCOPE_GLOBAL: ImportScope
IMPORT_KIND_UNSPECIFIED: ImportKind
IMPORT_KIND_INSERTED: ImportKind
IMPORT_KIND_EXISTING: ImportKind
IMPORT_KIND_OVERWRITE: ImportKind

class ForeignKey(_message.Message):
    __slots__ = ("field", "target_model", "nullable", "cross_silo")
    FIELD_FIELD_NUMBER: _ClassVar[int]
    TARGET_MODEL_FIELD_NUMBER: _ClassVar[int]
    NULLABLE_FIELD_NUMBER: _ClassVar[int]
    CROSS_SILO_FIELD_NUMBER: _ClassVar[int]
    field: str
    target_model: str
    nullable: bool
    cross_silo: bool
    def __init__(self, field: _Optional[str] = ..., target_model: _Optional[str] = ..., nullable: _Optional[bool] = ..., cross_silo: _Optional[bool] = ...) -> None: ...

class UniqueKey(_message.Message):
    __slots__ = ("fields",)
    FIELDS_FIELD_NUMBER: _ClassVar[int]
    fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, fields: _Optional[_Iterable[str]] = ...) -> None: ...

class ModelDescription(_message.Message):
    __slots__ = ("name", "table", "silo", "relocation_scopes", "foreign_keys", "relocation_dependencies", "unique_keys", "identifier_field", "fields", "deferred")
    NAME_FIELD_NUMBER: _ClassVar[int]
    TABLE_FIELD_NUMBER: _ClassVar[int]
    SILO_FIELD_NUMBER: _ClassVar[int]
    RELOCATION_SCOPES_FIELD_NUMBER: _ClassVar[int]
    FOREIGN_KEYS_FIELD_NUMBER: _ClassVar[int]
    RELOCATION_DEPENDENCIES_FIELD_NUMBER: _ClassVar[int]
    UNIQUE_KEYS_FIELD_NUMBER: _ClassVar[int]
    IDENTIFIER_FIELD_FIELD_NUMBER: _ClassVar[int]
    FIELDS_FIELD_NUMBER: _ClassVar[int]
    DEFERRED_FIELD_NUMBER: _ClassVar[int]
    name: str
    table: str
    silo: Silo
    relocation_scopes: _containers.RepeatedScalarFieldContainer[RelocationScope]
    foreign_keys: _containers.RepeatedCompositeFieldContainer[ForeignKey]
    relocation_dependencies: _containers.RepeatedScalarFieldContainer[str]
    unique_keys: _containers.RepeatedCompositeFieldContainer[UniqueKey]
    identifier_field: str
    fields: _containers.RepeatedScalarFieldContainer[str]
    deferred: bool
    def __init__(self, name: _Optional[str] = ..., table: _Optional[str] = ..., silo: _Optional[_Union[Silo, str]] = ..., relocation_scopes: _Optional[_Iterable[_Union[RelocationScope, str]]] = ..., foreign_keys: _Optional[_Iterable[_Union[ForeignKey, _Mapping]]] = ..., relocation_dependencies: _Optional[_Iterable[str]] = ..., unique_keys: _Optional[_Iterable[_Union[UniqueKey, _Mapping]]] = ..., identifier_field: _Optional[str] = ..., fields: _Optional[_Iterable[str]] = ..., deferred: _Optional[bool] = ...) -> None: ...

class PkMapColumns(_message.Message):
    __slots__ = ("model", "old_pks", "new_pks", "kinds", "identifiers")
    class IdentifiersEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: int
        value: str
        def __init__(self, key: _Optional[int] = ..., value: _Optional[str] = ...) -> None: ...
    MODEL_FIELD_NUMBER: _ClassVar[int]
    OLD_PKS_FIELD_NUMBER: _ClassVar[int]
    NEW_PKS_FIELD_NUMBER: _ClassVar[int]
    KINDS_FIELD_NUMBER: _ClassVar[int]
    IDENTIFIERS_FIELD_NUMBER: _ClassVar[int]
    model: str
    old_pks: _containers.RepeatedScalarFieldContainer[int]
    new_pks: _containers.RepeatedScalarFieldContainer[int]
    kinds: _containers.RepeatedScalarFieldContainer[ImportKind]
    identifiers: _containers.ScalarMap[int, str]
    def __init__(self, model: _Optional[str] = ..., old_pks: _Optional[_Iterable[int]] = ..., new_pks: _Optional[_Iterable[int]] = ..., kinds: _Optional[_Iterable[_Union[ImportKind, str]]] = ..., identifiers: _Optional[_Mapping[int, str]] = ...) -> None: ...
