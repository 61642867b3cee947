"""Email out: notifications as RFC 5322 messages, handed to an SMTP server with aiosmtplib."""

from email.message import EmailMessage
from email.utils import formataddr, formatdate, parseaddr

import aiosmtplib

from crm_notifier.domain.model import Notification
from crm_notifier.service_layer.delivery import DeliveryError


def to_email_message(notification: Notification) -> EmailMessage:
    """UTF-8 text (with an HTML alternative when there is one); raises ValueError for a header that
    cannot be written safely."""
    if not notification.email:
        raise ValueError(f"notification {notification.id} has no address")
    message = EmailMessage()
    message.set_content(notification.body)  # first: it resets every Content-* header
    if notification.body_html:
        message.add_alternative(notification.body_html, subtype="html")
    message["From"] = notification.from_address
    message["To"] = ", ".join(
        [formataddr((notification.to_name or "", notification.email)), *notification.also_to]
    )
    if notification.cc:
        message["Cc"] = ", ".join(notification.cc)
    message["Subject"] = notification.subject
    message["Date"] = formatdate(usegmt=True)
    if notification.message_id:
        message["Message-ID"] = notification.message_id
    message["Content-Language"] = notification.language
    for name, value in notification.headers.items():
        message[name] = value
    return message


class SmtpMailer:
    def __init__(
        self,
        *,
        host: str,
        port: int,
        username: str | None = None,
        password: str | None = None,
        starttls: bool = False,
        timeout_s: float = 15.0,
    ) -> None:
        self._host, self._port = host, port
        self._username, self._password = username, password
        self._starttls = starttls
        self._timeout_s = timeout_s

    async def send(self, notification: Notification) -> None:
        try:
            message = to_email_message(notification)
        except ValueError as exc:
            raise DeliveryError(f"unwritable message: {exc}", permanent=True) from exc
        try:
            await aiosmtplib.send(
                message,
                sender=parseaddr(notification.from_address)[1],
                recipients=notification.addresses,
                hostname=self._host,
                port=self._port,
                username=self._username,
                password=self._password,
                start_tls=self._starttls,
                timeout=self._timeout_s,
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            codes = [r.code for r in exc.recipients]
            raise DeliveryError(f"recipient refused: {exc}", permanent=all(c >= 500 for c in codes)) from exc
        except aiosmtplib.SMTPDataError as exc:  # the message itself was refused
            raise DeliveryError(f"{exc.code} {exc.message}", permanent=exc.code >= 500) from exc
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            # Server down, authentication or sender refused: a configuration fix lets retries succeed.
            raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc
