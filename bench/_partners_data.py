"""Realistic partners for the duplicate-search benchmark: Russian and Latin company names built
from word lists (so words repeat as in a real client base, while whole names are mostly
distinct), entrepreneurs and persons, valid INNs, E.164 phones, corporate and public emails;
and the candidates a registration form would send (typos, transliterations, other phone
formats, known emails and domains, INNs, new companies).
"""

from __future__ import annotations

import itertools
import random
import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from services.partners.domain.contacts import corporate_domain
from services.partners.domain.names import name_key

# --- word lists -------------------------------------------------------------------------
PREFIXES = (
    "Сиб", "Урал", "Волга", "Дон", "Кубань", "Енисей", "Байкал", "Амур", "Нева", "Кама", "Ока",
    "Север", "Юг", "Восток", "Запад", "Центр", "Мос", "Пит", "Тех", "Пром", "Строй", "Агро",
    "Авто", "Энерго", "Нефте", "Газ", "Металл", "Транс", "Инвест", "Торг", "Мед", "Фарм", "Эко",
    "Био", "Хим", "Электро", "Теле", "Инфо", "Спец", "Гор", "Рос", "Евро", "Азия", "Гео", "Аква",
    "Лес", "Дор", "Мост", "Тепло", "Свет", "Стан", "Маш", "Сталь", "Текс", "Хлеб", "Мясо",
    "Зерно", "Сахар", "Бум", "Стекло", "Керам", "Кабель", "Трубо", "Гидро", "Термо", "Вент",
)
SUFFIXES = (
    "строй", "торг", "снаб", "сбыт", "маш", "пром", "сервис", "комплект", "трейд", "транс",
    "монтаж", "проект", "инвест", "ресурс", "логистик", "стиль", "мир", "дом", "град", "лайн",
    "тех", "пласт", "металл", "энерго", "профи", "мастер", "вест", "холдинг", "групп", "опт",
    "маркет", "систем", "лаб", "мед", "фарм", "агро", "продукт", "экспорт", "импорт", "альянс",
    "снабсбыт", "техника", "деталь", "резерв", "контроль", "автоматика",
)
WORDS = (
    "Вектор", "Альфа", "Бета", "Гамма", "Дельта", "Омега", "Ромашка", "Лютик", "Василёк", "Берёзка",
    "Рассвет", "Восход", "Заря", "Прогресс", "Успех", "Стимул", "Импульс", "Меридиан", "Горизонт",
    "Орбита", "Галактика", "Сириус", "Вега", "Орион", "Атлант", "Титан", "Гранит", "Монолит",
    "Кристалл", "Алмаз", "Рубин", "Изумруд", "Янтарь", "Сапфир", "Магистраль", "Партнёр", "Союз",
    "Содружество", "Фортуна", "Виктория", "Олимп", "Пегас", "Феникс", "Сокол", "Беркут", "Ястреб",
    "Медведь", "Тайга", "Пилигрим", "Эталон", "Стандарт", "Гарант", "Капитал", "Престиж", "Лидер",
    "Элита", "Премьер", "Авангард", "Арсенал", "Бастион", "Ковчег", "Маяк", "Парус", "Фрегат",
    "Якорь", "Компас", "Старт", "Кедр", "Сосна", "Дубрава", "Радуга", "Мечта", "Надежда", "Уют",
    "Комфорт", "Колос", "Нива", "Урожай", "Дружба", "Каскад", "Квант", "Спектр", "Фокус", "Атом",
    "Протон", "Плазма", "Вертикаль", "Параллель", "Интеграл", "Формула", "Логос", "Стрела",
    "Пламя", "Исток", "Родник", "Ладога", "Онега", "Селигер", "Таврида", "Русь", "Славия", "Жемчуг",
    "Цитадель", "Щит", "Хронос", "Ярило", "Чайка", "Журавль", "Снегирь", "Шторм", "Эверест",
    "Аврора", "Акварель", "Аллегро", "Амулет", "Ангара", "Антарес", "Апогей", "Аргон", "Аспект",
    "Астра", "Багира", "Бриз", "Вариант", "Вектра", "Велес", "Вереск", "Витязь", "Волна", "Гелиос",
    "Гефест", "Глобус", "Гольфстрим", "Гармония", "Дизайн", "Династия", "Доминанта", "Европа",
    "Енисейка", "Зенит", "Зодиак", "Изба", "Ирбис", "Истина", "Калина", "Карат", "Кварц", "Кентавр",
    "Клевер", "Континент", "Кордон", "Космос", "Крона", "Лазурь", "Лотос", "Магнолия", "Малахит",
    "Мегаполис", "Метелица", "Миллениум", "Мирра", "Модуль", "Муссон", "Нептун", "Новатор",
    "Оникс", "Оптима", "Палитра", "Пассат", "Перспектива", "Платина", "Полюс", "Причал", "Регата",
    "Резонанс", "Рифей", "Ротор", "Рубеж", "Самоцвет", "Сигма", "Симфония", "Скиф", "Созвездие",
    "Стратегия", "Сфера", "Тандем", "Тезис", "Темп", "Терем", "Тритон", "Унисон", "Фаворит", "Факел",
    "Фламинго", "Флагман", "Форпост", "Фрактал", "Циклон", "Эдельвейс", "Экватор", "Эльбрус",
    "Эмпайр", "Энигма", "Эра", "Юпитер", "Ярмарка", "Ясень",
)
# Some names are far more popular than others (Zipf-like): the first words of the list most.
_WORD_CUMULATIVE = list(itertools.accumulate(1 / (rank + 1) ** 0.3 for rank in range(len(WORDS))))
MODIFIERS = (
    "Плюс", "Трейд", "Групп", "Сервис", "Центр", "Холдинг", "Инвест", "Строй", "Логистик",
    "Инжиниринг", "Консалтинг", "Девелопмент", "Маркет", "Проект", "Техно", "Профи", "Капитал",
    "Медиа", "Софт", "Систем", "М", "К", "СК", "ТД", "ПК", "НПО", "Юг", "Север", "Урал", "Сибирь",
    "Восток", "Запад", "Регион", "Д", "Лидер", "Эксперт", "Мастер", "Стиль", "Люкс", "Снаб",
)
DESCRIPTORS = (
    "Торговый дом", "ТД", "Группа компаний", "ГК", "Завод", "Фабрика", "Компания", "НПП", "ПКФ",
    "СК", "Агентство", "Студия", "Мастерская", "Комбинат", "Производственная компания",
)
ADJECTIVES = (
    "Северная", "Южная", "Первая", "Новая", "Сибирская", "Уральская", "Центральная", "Восточная",
    "Западная", "Русская", "Волжская", "Балтийская", "Столичная", "Народная", "Городская",
    "Областная", "Промышленная", "Торговая", "Строительная", "Транспортная", "Медицинская",
)
NOUNS = (
    "компания", "звезда", "линия", "группа", "сеть", "мануфактура", "фабрика", "артель", "биржа",
    "база", "волна", "корона", "палата", "площадка", "станция", "гавань", "долина", "марка",
    "слобода", "ярмарка", "лаборатория", "мельница",
)
CITIES = (
    "Москва", "Петербург", "Казань", "Самара", "Екатеринбург", "Новосибирск", "Омск", "Томск",
    "Пермь", "Уфа", "Тверь", "Тула", "Рязань", "Воронеж", "Курск", "Белгород", "Ростов",
    "Краснодар", "Сочи", "Волгоград", "Саратов", "Пенза", "Киров", "Иркутск", "Красноярск",
    "Барнаул", "Тюмень", "Челябинск", "Ярославль", "Кострома", "Владимир", "Калуга", "Смоленск",
    "Брянск", "Липецк", "Тамбов", "Орёл", "Мурманск", "Архангельск", "Вологда",
)
LATIN_FIRST = (
    "Nord", "Alfa", "Global", "Trans", "Euro", "Smart", "Prime", "Tech", "Star", "Neo", "Union",
    "Vector", "Atlas", "Delta", "Omega", "Green", "Blue", "Red", "North", "Baltic", "Pacific",
    "Siberian", "Ural", "Volga", "Capital", "Vertex", "Nexus", "Orbit", "Quantum", "Fusion",
    "Silver", "Golden", "Arctic", "Eastern", "Western", "Royal", "Grand", "United", "First", "Bright",
)
LATIN_SECOND = (
    "Trading", "Logistics", "Systems", "Solutions", "Group", "Consulting", "Engineering", "Foods",
    "Pharma", "Motors", "Energy", "Steel", "Software", "Media", "Retail", "Development",
    "Industries", "Invest", "Partners", "Service", "Technologies", "Distribution", "Supply",
    "Construction", "Machinery", "Chemicals", "Textiles", "Electronics", "Agro", "Marine",
)
LATIN_FORMS = ("LLC", "Ltd", "Limited", "GmbH", "Inc.", "JSC", "AG", "S.A.", "B.V.", "Corp.")
SURNAMES = (
    "Иванов", "Смирнов", "Кузнецов", "Попов", "Васильев", "Петров", "Соколов", "Михайлов",
    "Новиков", "Фёдоров", "Морозов", "Волков", "Алексеев", "Лебедев", "Семёнов", "Егоров",
    "Павлов", "Козлов", "Степанов", "Николаев", "Орлов", "Андреев", "Макаров", "Никитин",
    "Захаров", "Зайцев", "Соловьёв", "Борисов", "Яковлев", "Григорьев", "Романов", "Воробьёв",
    "Сергеев", "Кузьмин", "Фролов", "Александров", "Дмитриев", "Королёв", "Гусев", "Киселёв",
    "Ильин", "Максимов", "Поляков", "Сорокин", "Виноградов", "Ковалёв", "Белов", "Медведев",
    "Антонов", "Тарасов", "Жуков", "Баранов", "Филиппов", "Комаров", "Давыдов", "Беляев",
    "Герасимов", "Богданов", "Осипов", "Сидоров", "Матвеев", "Титов", "Марков", "Миронов",
    "Крылов", "Куликов", "Карпов", "Власов", "Мельников", "Денисов", "Гаврилов", "Тихонов",
    "Казаков", "Афанасьев", "Данилов", "Савельев", "Тимофеев", "Фомин", "Чернов", "Абрамов",
    "Мартынов", "Ефимов", "Федотов", "Щербаков", "Назаров", "Калинин", "Исаев", "Чернышёв",
    "Быков", "Маслов", "Родионов", "Коновалов", "Лазарев", "Воронин", "Климов", "Филатов",
    "Пономарёв", "Голубев", "Кудрявцев", "Прохоров", "Наумов", "Потапов", "Журавлёв", "Овчинников",
    "Трофимов", "Леонов", "Соболев", "Ермаков", "Колесников", "Гончаров", "Емельянов", "Никифоров",
    "Грачёв", "Котов", "Гришин", "Ефремов", "Архипов", "Громов", "Кириллов", "Малышев", "Панов",
    "Моисеев", "Румянцев", "Акимов", "Кондратьев", "Бирюков", "Горбунов", "Анисимов", "Ерёмин",
    "Тихомиров", "Галкин", "Лукьянов", "Михеев", "Скворцов", "Юдин", "Белоусов", "Нестеров",
    "Симонов", "Прокофьев", "Харитонов", "Князев", "Цветков", "Левин", "Митрофанов", "Воронов",
    "Аксёнов", "Софронов", "Мальцев", "Логинов", "Горшков", "Савин", "Краснов", "Майоров",
    "Демидов", "Елисеев", "Рыбаков", "Сафонов", "Плотников", "Демин", "Хохлов", "Жданов",
    "Шевченко", "Бондаренко", "Коваленко", "Ткаченко", "Кравченко", "Черных", "Седых", "Долгих",
    "Островский", "Покровский", "Вишневский", "Успенский", "Троицкий", "Ключевский",
)
MALE_NAMES = (
    "Александр", "Сергей", "Дмитрий", "Андрей", "Алексей", "Максим", "Евгений", "Иван", "Михаил",
    "Артём", "Николай", "Владимир", "Павел", "Роман", "Денис", "Олег", "Игорь", "Юрий", "Виктор",
    "Константин", "Антон", "Никита", "Вадим", "Кирилл", "Илья", "Егор", "Василий", "Григорий",
    "Тимур", "Руслан", "Станислав", "Леонид", "Борис", "Вячеслав", "Георгий", "Фёдор", "Пётр",
    "Геннадий", "Валерий", "Анатолий", "Степан", "Ярослав", "Эдуард", "Аркадий", "Семён",
)
FEMALE_NAMES = (
    "Елена", "Ольга", "Наталья", "Татьяна", "Ирина", "Светлана", "Анна", "Мария", "Екатерина",
    "Юлия", "Анастасия", "Марина", "Людмила", "Галина", "Надежда", "Валентина", "Оксана", "Дарья",
    "Ксения", "Виктория", "Алина", "Полина", "Софья", "Вера", "Любовь", "Лариса", "Инна", "Жанна",
    "Кристина", "Евгения", "Яна", "Алёна", "Нина", "Зоя", "Тамара", "Элина", "Диана", "Милана",
)
PATRONYMIC_STEMS = (
    ("Александрович", "Александровна"), ("Сергеевич", "Сергеевна"), ("Дмитриевич", "Дмитриевна"),
    ("Андреевич", "Андреевна"), ("Алексеевич", "Алексеевна"), ("Максимович", "Максимовна"),
    ("Евгеньевич", "Евгеньевна"), ("Иванович", "Ивановна"), ("Михайлович", "Михайловна"),
    ("Николаевич", "Николаевна"), ("Владимирович", "Владимировна"), ("Павлович", "Павловна"),
    ("Романович", "Романовна"), ("Олегович", "Олеговна"), ("Игоревич", "Игоревна"),
    ("Юрьевич", "Юрьевна"), ("Викторович", "Викторовна"), ("Константинович", "Константиновна"),
    ("Антонович", "Антоновна"), ("Васильевич", "Васильевна"), ("Григорьевич", "Григорьевна"),
    ("Борисович", "Борисовна"), ("Вячеславович", "Вячеславовна"), ("Георгиевич", "Георгиевна"),
    ("Фёдорович", "Фёдоровна"), ("Петрович", "Петровна"), ("Геннадьевич", "Геннадьевна"),
    ("Валерьевич", "Валерьевна"), ("Анатольевич", "Анатольевна"), ("Степанович", "Степановна"),
    ("Эдуардович", "Эдуардовна"), ("Семёнович", "Семёновна"), ("Леонидович", "Леонидовна"),
)
# Syllables of names nobody has: the "new company" candidates.
SYLLABLES = ("зар", "ни", "ко", "мэ", "лу", "фа", "ти", "до", "ню", "кве", "зо", "пы", "жу", "хэ", "вё", "гли", "орф", "экс")

LEGAL_FORMS = (  # abbreviation, full form, weight
    ("ООО", "Общество с ограниченной ответственностью", 70),
    ("АО", "Акционерное общество", 10),
    ("ЗАО", "Закрытое акционерное общество", 4),
    ("ОАО", "Открытое акционерное общество", 2),
    ("ПАО", "Публичное акционерное общество", 1),
    ("ГУП", "Государственное унитарное предприятие", 1),
    ("МУП", "Муниципальное унитарное предприятие", 1),
    ("АНО", "Автономная некоммерческая организация", 1),
)
_FORM_WEIGHTS = [w for *_, w in LEGAL_FORMS]

KINDS = (("client", 50), ("prospect", 20), ("supplier", 12), ("competitor", 3), ("dealer", 5),
         ("distributor", 4), ("carrier", 3), ("other", 3))
REGIONS = ("msk", "spb", "nsk", "ekb", "kzn", "nn", "smr", "krd", "rnd", "ufa", "perm", "vrn")
SEGMENTS = ("retail", "wholesale", "manufacturing", "horeca", "government", "construction", "logistics", "it")
SOURCES = ("web", "cold_call", "exhibition", "referral", "tender", "import")
DEPARTMENTS = ("north", "south", "center", "east", "west")
AREA_CODES = (
    ("495", 14), ("499", 6), ("812", 8), ("383", 2), ("343", 2), ("843", 2), ("846", 2), ("831", 2),
    ("861", 2), ("863", 1), ("351", 1), ("342", 1), ("473", 1), ("903", 4), ("905", 3), ("906", 2),
    ("909", 2), ("910", 3), ("915", 3), ("916", 5), ("917", 3), ("919", 2), ("921", 3), ("925", 4),
    ("926", 5), ("911", 2), ("952", 2), ("977", 3), ("985", 3), ("999", 3), ("913", 2), ("922", 2),
)
_AREA_WEIGHTS = [w for _, w in AREA_CODES]
PUBLIC_MAIL = (("mail.ru", 30), ("yandex.ru", 30), ("gmail.com", 15), ("bk.ru", 5), ("list.ru", 5),
               ("inbox.ru", 5), ("rambler.ru", 5), ("ya.ru", 5))
_PUBLIC_WEIGHTS = [w for _, w in PUBLIC_MAIL]
CORPORATE_LOCAL = ("info", "office", "sales", "zakaz", "opt", "buh", "secretary", "director", "snab",
                   "mail", "hr", "support", "manager", "priemnaya", "kontakt", "tender", "dostavka")
TLDS = (("ru", 70), ("com", 14), ("net", 5), ("su", 3), ("org", 3), ("pro", 2), ("biz", 3))
_TLD_WEIGHTS = [w for _, w in TLDS]
INN_REGIONS = ("77", "78", "50", "54", "66", "16", "63", "52", "23", "61", "74", "59", "36", "24", "02", "55", "72", "38", "47", "69")

# Slugs (domains, mailbox names): a simple one-letter-per-letter transliteration.
_SLUG = str.maketrans({
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z",
    "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "h", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "sch",
    "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya",
})
# Candidates' transliteration: BGN/PCGN, as a foreign client or a bank statement writes it.
_BGN = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "yo", "ж": "zh", "з": "z",
    "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch",
    "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya",
}
_BGN_TABLE = str.maketrans({**_BGN, **{k.upper(): v.capitalize() for k, v in _BGN.items()}})
_FORMS_LATIN = {"ООО": "LLC", "АО": "JSC", "ЗАО": "CJSC", "ОАО": "OJSC", "ПАО": "PJSC", "ГУП": "SUE", "МУП": "MUE", "АНО": "ANO"}
_LEGAL_WORDS = {
    "ООО", "АО", "ЗАО", "ОАО", "ПАО", "ГУП", "МУП", "АНО", "ИП", "общество", "ограниченной",
    "ответственностью", "акционерное", "закрытое", "открытое", "публичное", "государственное",
    "муниципальное", "унитарное", "предприятие", "автономная", "некоммерческая", "организация",
    "индивидуальный", "предприниматель", "Общество", "Акционерное", "Закрытое", "Открытое",
    "Публичное", "Государственное", "Муниципальное", "Автономная", "Индивидуальный",
}
_WORD = re.compile(r"[А-Яа-яЁёA-Za-z]{5,}")
_CYRILLIC_LOWER = "абвгдежзиклмнопрстуфхцчшщыэюя"


def slug(text: str) -> str:
    return re.sub(r"-+", "-", re.sub(r"[^a-z0-9]+", "-", text.lower().translate(_SLUG))).strip("-") or "company"


def inn10(rng: random.Random) -> str:
    """A 10-digit (organisation) INN with a correct check digit (as stdnum.ru.inn computes it)."""
    body = rng.choice(INN_REGIONS) + f"{rng.randint(1, 51):02d}" + f"{rng.randrange(100_000):05d}"
    weights = (2, 4, 10, 3, 5, 9, 4, 6, 8)
    return body + str(sum(w * int(d) for w, d in zip(weights, body, strict=True)) % 11 % 10)


def inn12(rng: random.Random) -> str:
    """A 12-digit (entrepreneur or person) INN with both check digits correct."""
    body = rng.choice(INN_REGIONS) + f"{rng.randint(1, 51):02d}" + f"{rng.randrange(1_000_000):06d}"
    d1 = str(sum(w * int(d) for w, d in zip((7, 2, 4, 10, 3, 5, 9, 4, 6, 8), body, strict=True)) % 11 % 10)
    d2 = str(sum(w * int(d) for w, d in zip((3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8), body + d1, strict=True)) % 11 % 10)
    return body + d1 + d2


def phone(rng: random.Random) -> str:
    area = rng.choices(AREA_CODES, _AREA_WEIGHTS)[0][0]
    return f"+7{area}{rng.randint(2, 9)}{rng.randrange(1_000_000):06d}"


def _female(surname: str) -> str:
    if surname.endswith(("ов", "ев", "ёв", "ин")):
        return surname + "а"
    if surname.endswith("ский"):
        return surname[:-4] + "ская"
    if surname.endswith("цкий"):
        return surname[:-4] + "цкая"
    return surname  # Шевченко, Черных


@dataclass
class Partner:
    id: str
    legal_form: str
    short_name: str
    full_name: str | None
    core: str  # the name without legal form: the base of its domain and mailboxes
    inn: str | None = None
    kpp: str | None = None
    phones: list[tuple[str, str]] = field(default_factory=list)  # (number, kind)
    emails: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)


class Generator:
    """Deterministic for a seed, so a database of a size is the same each time it is built."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.recent_inns: list[tuple[str, str]] = []  # (inn, kpp) of organisations: branches reuse them

    def uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    # --- names --------------------------------------------------------------------------
    def compound(self) -> str:
        rng = self.rng
        first = rng.choice(PREFIXES)
        if rng.random() < 0.2:
            first += rng.choice(PREFIXES)
        suffix = rng.choice(SUFFIXES)
        style = rng.random()
        if style < 0.55:
            return first + suffix
        if style < 0.85:
            return first + suffix.capitalize()
        return f"{first}-{suffix.capitalize()}"

    def word(self) -> str:
        return self.rng.choices(WORDS, cum_weights=_WORD_CUMULATIVE)[0]

    def russian_core(self) -> str:
        rng = self.rng
        style = rng.random()
        if style < 0.36:
            core = self.compound()
        elif style < 0.66:
            core = self.word()
        elif style < 0.77:
            core = f"{rng.choice(DESCRIPTORS)} {self.word() if rng.random() < 0.6 else self.compound()}"
        elif style < 0.88:
            core = f"{rng.choice(ADJECTIVES)} {rng.choice(NOUNS)}"
        else:
            core = f"{self.word() if rng.random() < 0.5 else self.compound()}-{rng.choice(CITIES)}"
        extra = rng.random()
        if extra < 0.55:
            modifier = rng.choice(MODIFIERS)
            core += f"-{modifier}" if len(modifier) <= 2 or rng.random() < 0.3 else f" {modifier}"
        elif extra < 0.67:
            core += f" {rng.choice(CITIES)}"
        if rng.random() < 0.08:
            core += f"-{rng.choice(('1', '2', '3', '7', '21', '24', '77', '99', '100', '2000', str(rng.randint(1, 999))))}"
        return core

    def latin_core(self) -> str:
        rng = self.rng
        core = f"{rng.choice(LATIN_FIRST)} {rng.choice(LATIN_SECOND)}"
        if rng.random() < 0.3:
            core = f"{rng.choice(LATIN_FIRST)} {core}"
        if rng.random() < 0.15:
            core += f" {rng.randint(1, 99)}"
        return core

    def person_name(self) -> tuple[str, str, str, str]:
        """(surname, first name, patronymic, initials form) of a man or a woman."""
        rng = self.rng
        surname = rng.choice(SURNAMES)
        male, female = rng.choice(PATRONYMIC_STEMS)
        if rng.random() < 0.62:
            first, patronymic = rng.choice(MALE_NAMES), male
        else:
            surname, first, patronymic = _female(surname), rng.choice(FEMALE_NAMES), female
        return surname, first, patronymic, f"{surname} {first[0]}.{patronymic[0]}."

    @staticmethod
    def quoted(core: str, style: float) -> str:
        if style < 0.6:
            return f"«{core}»"
        if style < 0.9:
            return f'"{core}"'
        return core

    def organisation(self) -> Partner:
        rng = self.rng
        abbr, full, _ = rng.choices(LEGAL_FORMS, _FORM_WEIGHTS)[0]
        core = self.latin_core() if rng.random() < 0.1 else self.russian_core()
        style = rng.random()
        quoted = self.quoted(core, rng.random())
        if style < 0.88:
            short = f"{abbr} {quoted}"
        elif style < 0.94:
            short = f"{quoted} {abbr}" if rng.random() < 0.5 else f"{quoted}, {abbr}"
        elif style < 0.97:
            short = f"{full} {quoted}"
        else:
            short = core
        partner = Partner(self.uuid(), "legal_entity", short, f"{full} «{core}»", core)
        if rng.random() < 0.55:
            if self.recent_inns and rng.random() < 0.03:
                # A branch: the head office's INN with its own KPP (a relationship, not a duplicate).
                inn, _ = rng.choice(self.recent_inns)
                partner.inn, partner.kpp = inn, f"{rng.choice(INN_REGIONS)}{rng.randint(1, 51):02d}43{rng.randint(1, 9):03d}"
            else:
                partner.inn = inn10(rng)
                partner.kpp = partner.inn[:4] + "01001"
                self.recent_inns.append((partner.inn, partner.kpp))
                if len(self.recent_inns) > 5000:
                    del self.recent_inns[:1000]
        return partner

    def individual(self, entrepreneur: bool) -> Partner:
        rng = self.rng
        surname, first, patronymic, initials = self.person_name()
        person = f"{surname} {first} {patronymic}"
        if not entrepreneur:
            partner = Partner(self.uuid(), "person", person, person, f"{surname} {first}")
            if rng.random() < 0.1:
                partner.inn = inn12(rng)
            return partner
        style = rng.random()
        if style < 0.6:
            short = f"ИП {person}"
        elif style < 0.85:
            short = f"ИП {initials}"
        else:
            short = f"Индивидуальный предприниматель {person}"
        partner = Partner(self.uuid(), "entrepreneur", short, f"Индивидуальный предприниматель {person}", f"{surname} {first}")
        if rng.random() < 0.6:
            partner.inn = inn12(rng)
        return partner

    # --- contacts -----------------------------------------------------------------------
    def domain(self, core: str) -> str:
        rng = self.rng
        base = slug(core)
        extra = rng.random()
        if extra < 0.3:
            base += f"-{slug(rng.choice(CITIES))[:3]}"
        elif extra < 0.6:
            base += str(rng.randint(1, 999))
        return f"{base}.{rng.choices(TLDS, _TLD_WEIGHTS)[0][0]}"

    def public_email(self, core: str) -> str:
        rng = self.rng
        local = slug(core).replace("-", rng.choice((".", "_", "")))[:20]
        return f"{local}{rng.randint(1, 99999)}@{rng.choices(PUBLIC_MAIL, _PUBLIC_WEIGHTS)[0][0]}"

    def contacts(self, partner: Partner) -> None:
        rng = self.rng
        organisation = partner.legal_form == "legal_entity"
        count = rng.choices((0, 1, 2, 3), (10, 50, 30, 10))[0]
        for i in range(count):
            partner.phones.append((phone(rng), "work" if i == 0 else rng.choice(("work", "mobile", "fax"))))
        count = rng.choices((0, 1, 2, 3), (15, 55, 25, 5) if organisation else (30, 60, 10, 0))[0]
        if count:
            corporate = rng.random() < (0.7 if organisation else 0.15)
            domain = self.domain(partner.core) if corporate else None
            locals_ = rng.sample(CORPORATE_LOCAL, count)
            for i in range(count):
                if domain and (i == 0 or rng.random() < 0.8):
                    partner.emails.append(f"{locals_[i]}@{domain}")
                else:
                    partner.emails.append(self.public_email(partner.core))
        kinds = [rng.choices(KINDS, [w for _, w in KINDS])[0][0]]
        if rng.random() < 0.15:
            kinds.append(rng.choices(KINDS, [w for _, w in KINDS])[0][0])
        partner.kinds = sorted(set(kinds))

    def partner(self) -> Partner:
        roll = self.rng.random()
        if roll < 0.78:
            partner = self.organisation()
        else:
            partner = self.individual(entrepreneur=roll < 0.96)
        self.contacts(partner)
        return partner

    def new_company_name(self) -> str:
        """A company nobody has registered (made-up word), as a form would send it."""
        rng = self.rng
        word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(3, 4))).capitalize()
        if rng.random() < 0.4:
            word += f" {rng.choice(MODIFIERS)}"
        return f"ООО «{word}»"


# --- COPY rows --------------------------------------------------------------------------
def copy_field(value) -> str:
    if value is None:
        return r"\N"
    return str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def copy_line(*values) -> str:
    return "\t".join(copy_field(v) for v in values) + "\n"


PARTNER_COLUMNS = (
    "id", "legal_form", "short_name", "full_name", "name_key", "inn", "kpp", "segment", "source",
    "region", "manager_id", "department", "status", "merged_into", "created_at", "created_by", "updated_at",
)


def partner_rows(gen: Generator, count: int, epoch: datetime):
    """(partners, partner_kinds, phones, emails) COPY text for ``count`` new partners."""
    rng = gen.rng
    partners, kinds, phones, emails = [], [], [], []
    previous_ids: list[str] = []
    for _ in range(count):
        p = gen.partner()
        status, merged_into = "active", None
        roll = rng.random()
        if roll < 0.01 and previous_ids:
            status, merged_into = "merged", rng.choice(previous_ids)
        elif roll < 0.03:
            status = "archived"
        created = epoch - timedelta(seconds=rng.randrange(8 * 365 * 86400))
        partners.append(copy_line(
            p.id, p.legal_form, p.short_name, p.full_name, name_key(p.short_name), p.inn, p.kpp,
            rng.choice(SEGMENTS), rng.choice(SOURCES), rng.choice(REGIONS), f"m{rng.randint(1, 200):03d}",
            rng.choice(DEPARTMENTS), status, merged_into, created.isoformat(), "bench", created.isoformat(),
        ))
        for kind in p.kinds:
            kinds.append(copy_line(p.id, kind))
        for number, kind in p.phones:
            phones.append(copy_line(p.id, number, kind))
        for address in p.emails:
            emails.append(copy_line(p.id, address, corporate_domain(address), "work"))
        if len(previous_ids) < 1000:
            previous_ids.append(p.id)
        elif rng.random() < 0.01:
            previous_ids[rng.randrange(1000)] = p.id
    return "".join(partners), "".join(kinds), "".join(phones), "".join(emails)


EPOCH = datetime(2026, 1, 1, tzinfo=UTC)


# --- candidates -------------------------------------------------------------------------
def transliterate(name: str) -> str:
    """A Cyrillic company name as a foreigner writes it: BGN/PCGN letters, the legal form in
    English after the name (ООО «Ромашка» → "Romashka" LLC)."""
    form = None
    for abbr, latin in _FORMS_LATIN.items():
        if name.startswith(abbr + " "):
            form, name = latin, name[len(abbr) + 1:]
            break
    if name.startswith("ИП "):
        form, name = "individual entrepreneur", name[3:]
    latin = name.translate(_BGN_TABLE).replace("«", '"').replace("»", '"')
    return f"{latin} {form}" if form else latin


def typo(rng: random.Random, name: str) -> str:
    """One slip of the keyboard in a word of the name (not in its legal form)."""
    words = [m for m in _WORD.finditer(name) if m.group() not in _LEGAL_WORDS]
    if not words:
        return name + "а"
    match = rng.choice(words)
    word = match.group()
    i = rng.randrange(1, len(word))
    op = rng.random()
    if op < 0.3:
        changed = word[:i] + word[i + 1:]  # a letter missed
    elif op < 0.55 and i < len(word) - 1:
        changed = word[:i] + word[i + 1] + word[i] + word[i + 2:]  # two letters swapped
    else:
        letters = _CYRILLIC_LOWER if "а" <= word[i].lower() <= "я" else "abcdefghijklmnopqrstuvwxyz"
        changed = word[:i] + rng.choice(letters) + word[i + 1:]  # a wrong letter
    variant = name[: match.start()] + changed + name[match.end():]
    if rng.random() < 0.3:
        variant = variant.replace("«", "").replace("»", "").replace('"', "")
    if rng.random() < 0.2:
        variant = variant.lower()
    return variant


def phone_format(rng: random.Random, e164: str) -> str:
    """An E.164 Russian number as people type it."""
    digits = e164[2:]
    area, a, b, c = digits[:3], digits[3:6], digits[6:8], digits[8:10]
    return rng.choice((
        f"8 ({area}) {a}-{b}-{c}", f"8{digits}", f"+7 {area} {a} {b} {c}", f"7{digits}",
        f"+7({area}){a}{b}{c}", f"8-{area}-{a}-{b}-{c}",
    ))


CANDIDATE_KINDS = (
    ("name_typo", 20), ("name_translit", 15), ("phone_other_format", 15), ("email", 10),
    ("corporate_domain", 10), ("inn", 15), ("no_match", 15),
)
