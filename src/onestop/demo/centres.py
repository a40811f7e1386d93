"""Demo service centres in Astana and Almaty, one specialized and one mobile."""

import datetime

ASTANA = {"kk": "Астана", "ru": "Астана", "en": "Astana"}
ALMATY = {"kk": "Алматы", "ru": "Алматы", "en": "Almaty"}

# Services of the specialized centre: driving and vehicles.
SPECIALIZED_SERVICES = {"driving-licence", "vehicle-registration", "premium-licence-plates"}

CENTRES = [
    {
        "code": "astana-esil",
        "kind": "standard",
        "name": {
            "kk": "Есіл ауданының ХҚКО",
            "ru": "ЦОН района Есиль",
            "en": "Esil District Service Centre",
        },
        "city": ASTANA,
        "address": {
            "kk": "Мәңгілік Ел даңғылы, 8",
            "ru": "пр. Мәңгілік Ел, 8",
            "en": "8 Mangilik El Ave",
        },
        "coordinates": ("51.089900", "71.416000"),
        "windows": 6,
    },
    {
        "code": "astana-saryarka",
        "kind": "standard",
        "name": {
            "kk": "Сарыарқа ауданының ХҚКО",
            "ru": "ЦОН района Сарыарка",
            "en": "Saryarka District Service Centre",
        },
        "city": ASTANA,
        "address": {
            "kk": "Бөгенбай батыр даңғылы, 36",
            "ru": "пр. Богенбай батыра, 36",
            "en": "36 Bogenbay Batyr Ave",
        },
        "coordinates": ("51.181000", "71.410500"),
        "windows": 5,
    },
    {
        "code": "astana-specialized",
        "kind": "specialized",
        "name": {
            "kk": "Астана қаласының мамандандырылған ХҚКО",
            "ru": "Специализированный ЦОН г. Астаны",
            "en": "Astana Specialized Service Centre",
        },
        "city": ASTANA,
        "address": {
            "kk": "Александр Пушкин көшесі, 25",
            "ru": "ул. Александра Пушкина, 25",
            "en": "25 Alexander Pushkin St",
        },
        "coordinates": ("51.150600", "71.469800"),
        "windows": 4,
    },
    {
        "code": "almaty-almaly",
        "kind": "standard",
        "name": {
            "kk": "Алмалы ауданының ХҚКО",
            "ru": "ЦОН Алмалинского района",
            "en": "Almaly District Service Centre",
        },
        "city": ALMATY,
        "address": {
            "kk": "Жібек жолы даңғылы, 135",
            "ru": "пр. Жибек жолы, 135",
            "en": "135 Zhibek Zholy Ave",
        },
        "coordinates": ("43.258800", "76.929600"),
        "windows": 6,
    },
    {
        "code": "almaty-bostandyk",
        "kind": "standard",
        "name": {
            "kk": "Бостандық ауданының ХҚКО",
            "ru": "ЦОН Бостандыкского района",
            "en": "Bostandyk District Service Centre",
        },
        "city": ALMATY,
        "address": {
            "kk": "Тимирязев көшесі, 42",
            "ru": "ул. Тимирязева, 42",
            "en": "42 Timiryazev St",
        },
        "coordinates": ("43.225700", "76.905200"),
        "windows": 5,
    },
    {
        "code": "almaty-mobile",
        "kind": "mobile",
        "name": {
            "kk": "Алматы облысының жылжымалы ХҚКО",
            "ru": "Мобильный ЦОН Алматинской области",
            "en": "Almaty Region Mobile Service Centre",
        },
        "city": ALMATY,
        "address": {
            "kk": "Автобус-ХҚКО, маршрут бойынша",
            "ru": "Автобус ЦОН, по маршруту",
            "en": "Service-centre bus, on its route",
        },
        "coordinates": ("43.238900", "76.889700"),
        "windows": 2,
    },
]

SETTLEMENTS = [
    (
        {"kk": "Талғар", "ru": "Талгар", "en": "Talgar"},
        {
            "kk": "Аудан әкімдігі алдындағы алаң",
            "ru": "Площадь у акимата района",
            "en": "Square by the district akimat",
        },
    ),
    (
        {"kk": "Есік", "ru": "Есик", "en": "Esik"},
        {
            "kk": "Орталық базар жанында",
            "ru": "У центрального рынка",
            "en": "By the central market",
        },
    ),
    (
        {"kk": "Қаскелең", "ru": "Каскелен", "en": "Kaskelen"},
        {"kk": "Мәдениет үйі алдында", "ru": "У дома культуры", "en": "By the house of culture"},
    ),
    (
        {"kk": "Ұзынағаш", "ru": "Узынагаш", "en": "Uzynagash"},
        {
            "kk": "Ауылдық округ әкімдігі",
            "ru": "Акимат сельского округа",
            "en": "Rural district akimat",
        },
    ),
    (
        {"kk": "Шамалған", "ru": "Шамалган", "en": "Shamalgan"},
        {"kk": "Мектеп алдындағы алаң", "ru": "Площадь у школы", "en": "Square by the school"},
    ),
    (
        {"kk": "Бесағаш", "ru": "Бесагаш", "en": "Besagash"},
        {"kk": "Медициналық пункт жанында", "ru": "У медпункта", "en": "By the health post"},
    ),
]


def route_dates(start: datetime.date, count: int) -> list[datetime.date]:
    """Working days (Monday to Friday) from `start`, one stop a day."""
    dates: list[datetime.date] = []
    day = start
    while len(dates) < count:
        if day.weekday() < 5:
            dates.append(day)
        day += datetime.timedelta(days=1)
    return dates
