"""Country names as UN texts write them: the answer to "Which country ...?" must name one.

The 193 Member States and the two observer States, by the short names the UN uses in resolutions
("Bolivia (Plurinational State of)" is found as "Bolivia"), plus the former names that older resolutions use
("Yugoslavia", "Zaire"). Matching is case-sensitive on whole words, so "Chad" is found, "chad" is not:

>>> countries_in("Welcoming the offer of the Government of the United Arab Emirates to host the Congress")
['United Arab Emirates']
>>> countries_in("the withdrawal of Rwandan troops from the Democratic Republic of the Congo and Uganda")
['Democratic Republic of the Congo', 'Uganda']
>>> countries_in("Welcoming the high-level segment held in Vienna on 20 and 21 June 2018")
[]

A country is also named by its adjective or its people ("Ugandan troops", "the Japanese Government"):
:func:`country_named_by`.
"""

from __future__ import annotations

import re

COUNTRY_NAMES: tuple[str, ...] = (
    "Afghanistan", "Albania", "Algeria", "Andorra", "Angola", "Antigua and Barbuda", "Argentina", "Armenia",
    "Australia", "Austria", "Azerbaijan", "Bahamas", "Bahrain", "Bangladesh", "Barbados", "Belarus", "Belgium",
    "Belize", "Benin", "Bhutan", "Bolivia", "Bosnia and Herzegovina", "Botswana", "Brazil", "Brunei Darussalam",
    "Bulgaria", "Burkina Faso", "Burundi", "Cabo Verde", "Cape Verde", "Cambodia", "Cameroon", "Canada",
    "Central African Republic", "Chad", "Chile", "China", "Colombia", "Comoros", "Congo", "Costa Rica",
    "Côte d’Ivoire", "Côte d'Ivoire", "Croatia", "Cuba", "Cyprus", "Czechia", "Czech Republic",
    "Democratic People’s Republic of Korea", "Democratic People's Republic of Korea",
    "Democratic Republic of the Congo", "Denmark", "Djibouti", "Dominica", "Dominican Republic", "Ecuador", "Egypt",
    "El Salvador", "Equatorial Guinea", "Eritrea", "Estonia", "Eswatini", "Ethiopia", "Fiji", "Finland", "France",
    "Gabon", "Gambia", "Georgia", "Germany", "Ghana", "Greece", "Grenada", "Guatemala", "Guinea", "Guinea-Bissau",
    "Guyana", "Haiti", "Honduras", "Hungary", "Iceland", "India", "Indonesia", "Iran", "Iraq", "Ireland", "Israel",
    "Italy", "Jamaica", "Japan", "Jordan", "Kazakhstan", "Kenya", "Kiribati", "Kuwait", "Kyrgyzstan",
    "Lao People’s Democratic Republic", "Lao People's Democratic Republic", "Latvia", "Lebanon", "Lesotho",
    "Liberia", "Libya", "Liechtenstein", "Lithuania", "Luxembourg", "Madagascar", "Malawi", "Malaysia", "Maldives",
    "Mali", "Malta", "Marshall Islands", "Mauritania", "Mauritius", "Mexico", "Micronesia", "Monaco", "Mongolia",
    "Montenegro", "Morocco", "Mozambique", "Myanmar", "Namibia", "Nauru", "Nepal", "Netherlands", "New Zealand",
    "Nicaragua", "Niger", "Nigeria", "North Macedonia", "Norway", "Oman", "Pakistan", "Palau", "Panama",
    "Papua New Guinea", "Paraguay", "Peru", "Philippines", "Poland", "Portugal", "Qatar", "Republic of Korea",
    "Republic of Moldova", "Romania", "Russian Federation", "Rwanda", "Saint Kitts and Nevis", "Saint Lucia",
    "Saint Vincent and the Grenadines", "Samoa", "San Marino", "Sao Tome and Principe", "Saudi Arabia", "Senegal",
    "Serbia", "Seychelles", "Sierra Leone", "Singapore", "Slovakia", "Slovenia", "Solomon Islands", "Somalia",
    "South Africa", "South Sudan", "Spain", "Sri Lanka", "Sudan", "Suriname", "Sweden", "Switzerland",
    "Syrian Arab Republic", "Tajikistan", "Thailand", "Timor-Leste", "Togo", "Tonga", "Trinidad and Tobago",
    "Tunisia", "Türkiye", "Turkey", "Turkmenistan", "Tuvalu", "Uganda", "Ukraine", "United Arab Emirates",
    "United Kingdom", "United Republic of Tanzania", "United States", "Uruguay", "Uzbekistan", "Vanuatu",
    "Venezuela", "Viet Nam", "Yemen", "Zambia", "Zimbabwe",
    # observer States, and names of former States that older resolutions use
    "Holy See", "State of Palestine", "Yugoslavia", "Serbia and Montenegro", "Zaire", "Soviet Union", "USSR",
    "Czechoslovakia", "Swaziland",
)

#: Longest names first, so that "Democratic Republic of the Congo" is one match, not "Congo".
_LONGEST_FIRST = sorted(COUNTRY_NAMES, key=len, reverse=True)
_COUNTRY = re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(name) for name in _LONGEST_FIRST) + r")(?![\w-])")


def countries_in(text: str) -> list[str]:
    """The countries ``text`` names, in order of first mention (see the module's examples)."""
    return list(dict.fromkeys(match.group(0) for match in _COUNTRY.finditer(text)))


#: How a country's adjective or people is formed from its name: (ending of the adjective, ending of the name).
#: "Ugandan" -> "Uganda", "Japanese" -> "Japan", "Rwandese" -> "Rwanda", "Yugoslav" -> "Yugoslavia",
#: "Iraqi" -> "Iraq", "Emirati" -> "Emirates", "Afghan" -> "Afghanistan".
_DEMONYMS = (("n", ""), ("ian", "ia"), ("ese", ""), ("ese", "a"), ("i", ""), ("i", "es"), ("ish", ""), ("", "a"),
             ("", "ia"), ("", "istan"))


def countries_of(word: str) -> list[str]:
    """The country names an adjective or a people may come from (candidates, to look up in the corpus).

    >>> countries_of("Ugandan")[:1], "japan" in countries_of("Japanese"), "yugoslavia" in countries_of("Yugoslav")
    (['uganda'], True, True)
    >>> countries_of("Mali")
    []
    """
    word = word.lower()
    if len(word) < 5:  # "Mali" is no adjective of "Mal" or "Malia"
        return []
    return [word[: len(word) - len(end)] + add for end, add in _DEMONYMS
            if word.endswith(end) and len(word) > len(end) + 2]


_BY_LOWER_NAME = {name.lower(): name for name in COUNTRY_NAMES}


def country_named_by(word: str) -> str | None:
    """The country a capitalised word names, as its name or its adjective or people; ``None`` for another word.

    >>> country_named_by("Ugandan"), country_named_by("Japanese"), country_named_by("Chad"), country_named_by("Member")
    ('Uganda', 'Japan', 'Chad', None)
    """
    if word in COUNTRY_NAMES:
        return word
    return next((_BY_LOWER_NAME[c] for c in countries_of(word) if c in _BY_LOWER_NAME), None)
