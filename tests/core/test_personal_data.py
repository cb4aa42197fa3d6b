import datetime as dt

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import FieldError, ValidationError
from django.db import connection
from django.utils import translation

from apps.core import personal_data as pd
from tests.testapp.models import Person

pytestmark = pytest.mark.django_db

WANG = "450203199003071213"  # valid, male, born 1990-03-07
ZHAO = "450203200002290049"  # valid, female, born 2000-02-29


def make_person(number=WANG):
    number = pd.validate_id_number(number)
    return Person.objects.create(name="王伟", id_number=number, id_number_hash=pd.lookup_hash(number))


def test_database_holds_no_readable_id_number():
    person = make_person()
    with connection.cursor() as cur:
        cur.execute("SELECT id_number, id_number_hash FROM testapp_person WHERE id = %s", [person.pk])
        raw_token, raw_hash = cur.fetchone()
        cur.execute(
            "SELECT count(*) FROM testapp_person WHERE id_number LIKE %s OR id_number_hash LIKE %s",
            [f"%{WANG[-8:]}%", f"%{WANG[-8:]}%"],
        )
        assert cur.fetchone()[0] == 0
    assert WANG not in raw_token and WANG not in raw_hash
    assert Person.objects.get(pk=person.pk).id_number == WANG


def test_look_up_by_keyed_hash_not_by_value():
    person = make_person()
    assert Person.objects.get(id_number_hash=pd.lookup_hash(WANG.lower())) == person
    with pytest.raises(FieldError):
        Person.objects.filter(id_number=WANG).count()


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("450203199003071214", "id_checksum"),
        ("450203199013071217", "id_birth_date"),
        ("4502031990030712", "id_format"),
        ("4502031990030712A3", "id_format"),
    ],
)
def test_invalid_id_numbers_are_refused_with_a_reason(value, code):
    with pytest.raises(ValidationError) as exc:
        pd.validate_id_number(value)
    assert exc.value.code == code


def test_a_wrong_check_character_says_what_to_do_not_the_standard():
    """Issue 20: a worker was shown "校验码错误（GB 11643-1999）". The standard stays in the
    code (ID_NUMBER_SOURCE); the message says to check the number."""
    with translation.override("en"):
        with pytest.raises(ValidationError) as exc:
            pd.validate_id_number("450203199003071214")
        [message] = exc.value.messages  # a lazy message: read in the language it is asked in
    assert message == (
        "This ID number is not valid: please check it and enter it again (its last character, "
        "the check character, does not match the others)."
    )
    assert "11643" not in message and "11643" in pd.ID_NUMBER_SOURCE
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        pd.validate_id_number("450203199003071214")
    assert "11643" not in exc.value.messages[0]


def test_masking_birth_date_and_sex():
    assert pd.mask_id_number(WANG) == "4502**********1213"
    assert pd.mask_id_number("") == ""
    assert pd.birth_date_and_sex(WANG) == (dt.date(1990, 3, 7), "male")
    assert pd.birth_date_and_sex(ZHAO) == (dt.date(2000, 2, 29), "female")


def test_key_rotation_keeps_old_data_readable(settings):
    old_key = Fernet.generate_key().decode()
    settings.PERSONAL_DATA_KEYS = [old_key]
    person = make_person()
    settings.PERSONAL_DATA_KEYS = [Fernet.generate_key().decode(), old_key]
    assert Person.objects.get(pk=person.pk).id_number == WANG
    settings.PERSONAL_DATA_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(ValueError, match="decrypted"):
        Person.objects.get(pk=person.pk)


def test_hash_depends_on_its_key(settings):
    first = pd.lookup_hash(WANG)
    settings.PERSONAL_DATA_HASH_KEY = "another-key-of-at-least-thirty-two-chars"
    assert pd.lookup_hash(WANG) != first


@pytest.mark.parametrize(
    "body",
    [
        "45027119900307123",  # the demo district's code, on which the library's region table failed
        "45020219750307123",  # a Liuzhou number of someone born in 1975, which the table refused
        "11010519491231002",  # Beijing, born 1949
    ],
)
def test_real_numbers_are_not_refused_for_their_region_code(body):
    from stdnum.cn import ric

    number = body + ric.calc_check_digit(body + "0")
    assert pd.validate_id_number(number) == number


def test_a_birth_date_in_the_future_is_impossible():
    from stdnum.cn import ric

    body = "45020221000101123"
    with pytest.raises(ValidationError) as exc:
        pd.validate_id_number(body + ric.calc_check_digit(body + "0"))
    assert exc.value.code == "id_birth_date"
