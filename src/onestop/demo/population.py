"""The demo population registry: a fixed, reproducible set of people with valid IINs.

Names, dates and addresses are drawn from a seeded generator, so every machine gets the
same people and the same IINs.
"""

import datetime
import random
from collections.abc import Iterator

from onestop.people.iin import make_bin, make_iin

SEED = 20051001  # the first service centres opened in 2005

KAZAKH_MALE = [
    "Ерлан",
    "Нұрлан",
    "Асқар",
    "Бауыржан",
    "Дәурен",
    "Ержан",
    "Қайрат",
    "Мұрат",
    "Серік",
    "Талғат",
    "Арман",
    "Ахмет",
    "Бекзат",
    "Дархан",
    "Әлихан",
    "Нұрсұлтан",
    "Самат",
    "Тимур",
    "Жандос",
    "Ғалым",
]
KAZAKH_FEMALE = [
    "Айгүл",
    "Гүлнар",
    "Динара",
    "Жанар",
    "Әсел",
    "Мәдина",
    "Сәуле",
    "Айжан",
    "Ақмарал",
    "Балжан",
    "Гүлмира",
    "Жұлдыз",
    "Назерке",
    "Салтанат",
    "Томирис",
    "Ұлжан",
    "Айым",
    "Меруерт",
    "Аружан",
    "Дана",
]
KAZAKH_SURNAMES = [
    "Ахметов",
    "Жұмабаев",
    "Сәрсенбаев",
    "Тоқаев",
    "Омаров",
    "Нұрланов",
    "Қасымов",
    "Бекмұхамбетов",
    "Әбдірахманов",
    "Серікбаев",
    "Исаев",
    "Мұхамеджанов",
    "Оспанов",
    "Төлеуов",
    "Байжанов",
    "Құрманов",
    "Есенов",
    "Ермеков",
    "Жақсылықов",
    "Сұлтанов",
]
RUSSIAN_MALE = [
    "Александр",
    "Сергей",
    "Дмитрий",
    "Андрей",
    "Алексей",
    "Михаил",
    "Владимир",
    "Игорь",
    "Николай",
    "Павел",
]
RUSSIAN_FEMALE = [
    "Елена",
    "Ольга",
    "Наталья",
    "Татьяна",
    "Ирина",
    "Светлана",
    "Анна",
    "Мария",
    "Екатерина",
    "Людмила",
]
RUSSIAN_SURNAMES = [
    "Иванов",
    "Петров",
    "Смирнов",
    "Кузнецов",
    "Попов",
    "Васильев",
    "Соколов",
    "Морозов",
    "Волков",
    "Лебедев",
]

CITIES = {
    "Астана": [
        "пр. Мәңгілік Ел",
        "ул. Кенесары",
        "пр. Республики",
        "ул. Сарайшық",
        "пр. Кабанбай батыра",
        "ул. Бейбітшілік",
        "пр. Туран",
        "ул. Сығанақ",
    ],
    "Алматы": [
        "пр. Абая",
        "ул. Толе би",
        "пр. Достык",
        "ул. Жандосова",
        "пр. Аль-Фараби",
        "ул. Сатпаева",
        "мкр. Самал-2",
        "ул. Розыбакиева",
    ],
    "Талгар": ["ул. Абая", "ул. Кунаева"],
    "Есик": ["ул. Токаша Бокина", "ул. Абая"],
}
CITY_WEIGHTS = [45, 45, 5, 5]


def _feminine(surname: str) -> str:
    if surname.endswith(("ов", "ев", "ин")):
        return surname + "а"
    return surname


RUSSIAN_PATRONYMIC_STEMS = {
    "Александр": "Александро",
    "Сергей": "Сергее",
    "Дмитрий": "Дмитрие",
    "Андрей": "Андрее",
    "Алексей": "Алексее",
    "Михаил": "Михайло",
    "Владимир": "Владимиро",
    "Игорь": "Игоре",
    "Николай": "Николае",
    "Павел": "Павло",
}


def _patronymic(father: str, sex: str, kazakh: bool) -> str:
    if kazakh:
        return f"{father}{'ұлы' if sex == 'male' else 'қызы'}"
    return RUSSIAN_PATRONYMIC_STEMS[father] + ("вич" if sex == "male" else "вна")


def demo_people(count: int) -> Iterator[dict]:
    """`count` people with distinct valid IINs, always the same for the same count."""
    rng = random.Random(SEED)
    used: set[str] = set()
    produced = 0
    while produced < count:
        sex = rng.choice(["male", "female"])
        kazakh = rng.random() < 0.7
        # Mostly working-age adults, some pensioners and some young people.
        birth = datetime.date(1940, 1, 1) + datetime.timedelta(days=rng.randrange(0, 68 * 365))
        iin = make_iin(birth, sex, rng.randrange(1, 9999))
        if iin is None or iin in used:
            continue
        used.add(iin)
        if kazakh:
            first = rng.choice(KAZAKH_MALE if sex == "male" else KAZAKH_FEMALE)
            surname = rng.choice(KAZAKH_SURNAMES)
            father = rng.choice(KAZAKH_MALE)
        else:
            first = rng.choice(RUSSIAN_MALE if sex == "male" else RUSSIAN_FEMALE)
            surname = rng.choice(RUSSIAN_SURNAMES)
            father = rng.choice(RUSSIAN_MALE)
        city = rng.choices(list(CITIES), weights=CITY_WEIGHTS)[0]
        street = rng.choice(CITIES[city])
        yield {
            "iin": iin,
            "last_name": surname if sex == "male" else _feminine(surname),
            "first_name": first,
            "patronymic": _patronymic(father, sex, kazakh),
            "birth_date": birth,
            "sex": sex,
            "phone": f"+77{rng.choice(['01', '02', '05', '07', '08', '47', '71', '75', '77'])}{rng.randrange(0, 10**7):07d}",
            "email": f"citizen{produced + 1:04d}@example.kz",
            "language": "kk" if kazakh and rng.random() < 0.6 else "ru",
            "city": city,
            "address": f"г. {city}, {street}, д. {rng.randrange(1, 180)}, кв. {rng.randrange(1, 300)}",
            "has_disability": rng.random() < 0.04,
        }
        produced += 1


BUSINESS_WORDS = [
    "Алтын Дән",
    "Береке",
    "Самұрық Құрылыс",
    "Дала Логистик",
    "Көктем",
    "Nomad Soft",
    "Жетісу Агро",
    "Тұран Сервис",
    "Астана Медиа",
    "Шығыс Строй",
    "Айна Фарм",
    "Qazaq Trade",
]
LEGAL_FORMS = ["ТОО", "АО", "ТОО", "ИП"]


def demo_legal_entities(count: int, heads: list[str]) -> Iterator[dict]:
    """`count` legal entities with distinct valid BINs, headed by people of the registry."""
    rng = random.Random(SEED + 1)
    used: set[str] = set()
    while len(used) < count:
        year, month = rng.randrange(2005, 2026), rng.randrange(1, 13)
        bin_ = make_bin(year, month, "4", "0", rng.randrange(1, 99999))
        if bin_ is None or bin_ in used:
            continue
        used.add(bin_)
        form = rng.choice(LEGAL_FORMS)
        name = f"{form} «{rng.choice(BUSINESS_WORDS)}-{len(used)}»"
        yield {
            "bin": bin_,
            "name": name,
            "head_iin": rng.choice(heads),
            "address": f"г. {rng.choice(['Астана', 'Алматы'])}, ул. {rng.choice(['Абая', 'Кенесары', 'Достык'])}, {rng.randrange(1, 200)}",
            "registered_on": datetime.date(year, month, rng.randrange(1, 28)),
        }
