from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class OrganizationSlugClaim(_message.Message):
    __slots__ = ("organization_id", "desired_slug", "name", "status")
    ORGANIZATION_ID_FIELD_NUMBER: _ClassVar[int]
    DESIRED_SLUG_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    organization_id: int
    desired_slug: str
    name: str
    status: int
    def __init__(self, organization_id: _Optional[int] = ..., desired_slug: _Optional[str] = ..., name: _Optional[str] = ..., status: _Optional[int] = ...) -> None: ...

class ReserveOrganizationSlugsRequest(_message.Message):
    __slots__ = ("region_name", "import_uuid", "claims")
    REGION_NAME_FIELD_NUMBER: _ClassVar[int]
    IMPORT_UUID_FIELD_NUMBER: _ClassVar[int]
    CLAIMS_FIELD_NUMBER: _ClassVar[int]
    region_name: str
    import_uuid: str
    claims: _containers.RepeatedCompositeFieldContainer[OrganizationSlugClaim]
    def __init__(self, region_name: _Optional[str] = ..., import_uuid: _Optional[str] = ..., claims: _Optional[_Iterable[_Union[OrganizationSlugClaim, _Mapping]]] = ...) -> None: ...

class OrganizationSlugAssignment(_message.Message):
    __slots__ = ("organization_id", "slug")
    ORGANIZATION_ID_FIELD_NUMBER: _ClassVar[int]
    SLUG_FIELD_NUMBER: _ClassVar[int]
    organization_id: int
    slug: str
    def __init__(self, organization_id: _Optional[int] = ..., slug: _Optional[str] = ...) -> None: ...

class ReserveOrganizationSlugsResponse(_message.Message):
    __slots__ = ("assignments",)
    ASSIGNMENTS_FIELD_NUMBER: _ClassVar[int]
    assignments: _containers.RepeatedCompositeFieldContainer[OrganizationSlugAssignment]
    def __init__(self, assignments: _Optional[_Iterable[_Union[OrganizationSlugAssignment, _Mapping]]] = ...) -> None: ...
