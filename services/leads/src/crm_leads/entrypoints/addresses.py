"""HTTP shapes of the postal address: one schema of the parts every address has, in the two shapes the
API has always had (a lead's single address, whose one line is its `street`; an account's typed
addresses), both read into the domain's one `PostalAddress`."""

from pydantic import BaseModel, ConfigDict, Field

from crm_leads.domain.addresses import AddressKind, PostalAddress


class Address(BaseModel):
    """The parts every address has, and how it becomes the domain's."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, from_attributes=True)

    city: str | None = Field(None, max_length=128)
    region: str | None = Field(None, max_length=128)

    def domain(self) -> PostalAddress:
        return PostalAddress.of(self.model_dump())


class AddressIn(Address):
    """A lead's address; every part may be left out."""

    street: str | None = Field(None, max_length=500)
    postal_code: str | None = Field(None, max_length=20)
    country: str | None = Field(None, pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2")


class TypedAddressIn(Address):
    """One of an account's addresses: typed, with a first line and a country."""

    kind: AddressKind = Field(description="billing, delivery or default; one address of each kind at most")
    line1: str = Field(min_length=1, max_length=255)
    line2: str | None = Field(None, max_length=255)
    postal_code: str | None = Field(None, max_length=16)
    country: str = Field(pattern=r"^[A-Za-z]{2}$", description="ISO 3166-1 alpha-2 code")


class TypedAddressPublic(BaseModel):
    kind: AddressKind
    line1: str
    line2: str | None
    postal_code: str | None
    city: str | None
    region: str | None
    country: str
