from django.db import models

from apps.core.models import BaseModel, StatusHistory
from apps.core.personal_data import EncryptedCharField


class Case(BaseModel):
    class Status(models.TextChoices):
        RECEIVED = "received", "Received"
        ACCEPTED = "accepted", "Accepted"
        REFUSED = "refused", "Refused"
        CLOSED = "closed", "Closed"

    title = models.CharField(max_length=100)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.RECEIVED)
    workers = models.PositiveIntegerField(default=1)


class CaseHistory(StatusHistory):
    subject = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="history")


class Person(BaseModel):
    name = models.CharField(max_length=50)
    id_number = EncryptedCharField()
    id_number_hash = models.CharField(max_length=64, db_index=True)
