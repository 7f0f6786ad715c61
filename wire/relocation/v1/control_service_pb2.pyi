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

class OrganizationMemberMapping(_message.Message):
    __slots__ = ("organization_id", "organizationmember_id", "role", "user_id", "email", "inviter_id", "invite_status")
    ORGANIZATION_ID_FIELD_NUMBER: _ClassVar[int]
    ORGANIZATIONMEMBER_ID_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    INVITER_ID_FIELD_NUMBER: _ClassVar[int]
    INVITE_STATUS_FIELD_NUMBER: _ClassVar[int]
    organization_id: int
    organizationmember_id: int
    role: str
    user_id: int
    email: str
    inviter_id: int
    invite_status: int
    def __init__(self, organization_id: _Optional[int] = ..., organizationmember_id: _Optional[int] = ..., role: _Optional[str] = ..., user_id: _Optional[int] = ..., email: _Optional[str] = ..., inviter_id: _Optional[int] = ..., invite_status: _Optional[int] = ...) -> None: ...

class MapOrganizationMembersRequest(_message.Message):
    __slots__ = ("members",)
    MEMBERS_FIELD_NUMBER: _ClassVar[int]
    members: _containers.RepeatedCompositeFieldContainer[OrganizationMemberMapping]
    def __init__(self, members: _Optional[_Iterable[_Union[OrganizationMemberMapping, _Mapping]]] = ...) -> None: ...

class MapOrganizationMembersResponse(_message.Message):
    __slots__ = ("created",)
    CREATED_FIELD_NUMBER: _ClassVar[int]
    created: int
    def __init__(self, created: _Optional[int] = ...) -> None: ...
