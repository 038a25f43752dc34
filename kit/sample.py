"""Generate the fictional sample client, Helix Biopharma, deterministically from a seed.

Helix Biopharma is a made-up mid-size pharma company with 12 functions and 859 staff. The
generator builds every table of the kit's data model (see ``data/sample/README.md``) from one
``numpy.random.default_rng(seed)``; the same seed always gives byte-identical CSV files.

Survey scores come from a latent model: provider baseline + customer effect + the respondent's
generosity + a persistent respondent x provider relationship + small per-wave noise, with four
driver ratings that track the latent level (responsiveness weighs most on the score, then
quality, collaboration, communication). On top of that, the planted effects the kit should find
are named parameters below (``PROVIDER_SHIFT``, ``SILO_PENALTY``, ``FOLLOWUP_UPLIFT``, ...).

Example
-------
>>> tables = generate(seed=2026)
>>> sorted(tables)[:3]
['followups', 'functions', 'relationships']
>>> int(tables["functions"]["headcount"].sum())
859

Run ``python -m kit.sample data/sample`` to regenerate the sample folder.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import tempfile
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from kit.config import SAMPLE_CONFIG

__all__ = ["TABLES", "WAVES", "CURRENT_WAVE", "REGIONS", "SCALES", "generate", "write", "main"]

# --------------------------------------------------------------------------------------------
# The client
# --------------------------------------------------------------------------------------------

#: (function, headcount, predicted NPS, people in the stakeholder register)
FUNCTIONS: tuple[tuple[str, int, int, int], ...] = (
    ("Medical Affairs", 85, 35, 9),
    ("Marketing", 60, 20, 8),
    ("Sales", 240, 15, 11),
    ("Market Access", 35, 20, 6),
    ("Regulatory", 45, 30, 7),
    ("Clinical Operations", 120, 25, 9),
    ("Pharmacovigilance", 40, 25, 5),
    ("Supply Chain", 90, 30, 7),
    ("Finance", 50, 5, 5),
    ("HR", 30, 10, 4),
    ("IT", 55, 15, 6),
    ("Legal & Compliance", 9, 40, 3),
)
FUNCTION_NAMES = tuple(f[0] for f in FUNCTIONS)
LEGAL = "Legal & Compliance"

#: Job titles per function: head (Executive), Director, Manager, Individual contributor.
ROLES: dict[str, tuple[str, str, str, str]] = {
    "Medical Affairs": (
        "Head of Medical Affairs",
        "Medical Director",
        "MSL Team Manager",
        "Medical Science Liaison",
    ),
    "Marketing": ("Head of Marketing", "Brand Director", "Brand Manager", "Marketing Executive"),
    "Sales": (
        "Head of Sales",
        "Regional Sales Director",
        "Area Sales Manager",
        "Key Account Manager",
    ),
    "Market Access": (
        "Head of Market Access",
        "Market Access Director",
        "Pricing & Reimbursement Manager",
        "Health Economics Analyst",
    ),
    "Regulatory": (
        "Head of Regulatory Affairs",
        "Regulatory Strategy Director",
        "Regulatory Affairs Manager",
        "Regulatory Affairs Specialist",
    ),
    "Clinical Operations": (
        "Head of Clinical Operations",
        "Clinical Operations Director",
        "Clinical Trial Manager",
        "Clinical Research Associate",
    ),
    "Pharmacovigilance": (
        "Head of Pharmacovigilance (QPPV)",
        "Drug Safety Director",
        "Drug Safety Manager",
        "Drug Safety Associate",
    ),
    "Supply Chain": (
        "Head of Supply Chain",
        "Supply Planning Director",
        "Demand Planning Manager",
        "Supply Chain Analyst",
    ),
    "Finance": (
        "Chief Financial Officer",
        "Finance Director",
        "Finance Business Partner",
        "Financial Analyst",
    ),
    "HR": ("Head of People", "HR Director", "HR Business Partner", "HR Advisor"),
    "IT": ("Head of IT", "IT Director", "IT Service Manager", "Business Analyst"),
    LEGAL: ("General Counsel", "Compliance Director", "Senior Legal Counsel", "Compliance Officer"),
}
LEVELS = ("Executive", "Director", "Manager", "Individual contributor")
ENGAGEMENT = ("Unaware", "Resistant", "Neutral", "Supportive", "Leading")

#: SIPOC edges: (supplier, customer, deliverable, frequency, criticality 1-5).
#: Deliberately NO edge between Medical Affairs and Marketing, in either direction (effect 2).
RELATIONSHIPS: tuple[tuple[str, str, str, str, int], ...] = (
    ("Regulatory", "Marketing", "Promotional material approval", "Weekly", 5),
    ("Regulatory", "Medical Affairs", "Label and SmPC updates", "Monthly", 4),
    ("Regulatory", "Sales", "Approved claims guidance", "Quarterly", 3),
    ("Regulatory", "Supply Chain", "Artwork and packaging approval", "Monthly", 4),
    ("Regulatory", "Clinical Operations", "Submission strategy and timelines", "Monthly", 4),
    ("Regulatory", "Market Access", "Approved indications and label timelines", "Quarterly", 4),
    ("Regulatory", "Pharmacovigilance", "Safety variation submissions", "Monthly", 4),
    ("Clinical Operations", "Regulatory", "Clinical study reports", "Quarterly", 5),
    ("Clinical Operations", "Medical Affairs", "Trial results and data readouts", "Quarterly", 4),
    ("Clinical Operations", "Pharmacovigilance", "Serious adverse events from trials", "Daily", 5),
    ("Clinical Operations", "Market Access", "Clinical evidence for HTA dossiers", "Quarterly", 4),
    ("Clinical Operations", "Finance", "Trial cost forecasts", "Monthly", 3),
    ("Clinical Operations", "Supply Chain", "Clinical supply demand plan", "Monthly", 4),
    ("Pharmacovigilance", "Regulatory", "Periodic safety reports", "Quarterly", 5),
    ("Pharmacovigilance", "Medical Affairs", "Safety signal assessments", "Monthly", 4),
    ("Pharmacovigilance", "Clinical Operations", "Safety review of ongoing trials", "Monthly", 4),
    ("Pharmacovigilance", "Sales", "Adverse event reporting training", "Quarterly", 3),
    ("Pharmacovigilance", "Marketing", "Safety review of patient programmes", "Ad hoc", 3),
    ("Medical Affairs", "Sales", "Scientific training", "Monthly", 4),
    ("Medical Affairs", "Market Access", "Medical evidence and value narratives", "Monthly", 4),
    ("Medical Affairs", "Regulatory", "Medical review of labelling", "Ad hoc", 3),
    (
        "Medical Affairs",
        "Clinical Operations",
        "Investigator-initiated study reviews",
        "Monthly",
        3,
    ),
    ("Medical Affairs", "Pharmacovigilance", "Medical assessment of case reports", "Weekly", 4),
    ("Marketing", "Sales", "Brand plans and campaign materials", "Monthly", 5),
    ("Marketing", "Market Access", "Value proposition messaging", "Quarterly", 3),
    ("Marketing", "Supply Chain", "Launch volume assumptions", "Quarterly", 3),
    ("Marketing", "Finance", "Brand budget forecast", "Quarterly", 3),
    ("Marketing", "Regulatory", "Promotional material submissions", "Weekly", 4),
    ("Sales", "Marketing", "Field insights and customer feedback", "Monthly", 3),
    ("Sales", "Supply Chain", "Sales forecast by territory", "Monthly", 4),
    ("Sales", "Finance", "Sales actuals and forecast", "Monthly", 4),
    ("Sales", "Pharmacovigilance", "Adverse events reported in the field", "Ad hoc", 5),
    ("Sales", "Market Access", "Key account insights", "Monthly", 3),
    ("Market Access", "Sales", "Formulary and reimbursement status", "Monthly", 4),
    ("Market Access", "Marketing", "Pricing and access guidance", "Quarterly", 4),
    ("Market Access", "Finance", "Price and rebate forecast", "Quarterly", 4),
    ("Market Access", "Medical Affairs", "Payer evidence requirements", "Quarterly", 3),
    ("Supply Chain", "Sales", "Product availability forecast", "Weekly", 5),
    ("Supply Chain", "Marketing", "Launch stock readiness", "Ad hoc", 3),
    ("Supply Chain", "Clinical Operations", "Clinical trial supplies", "Weekly", 5),
    ("Supply Chain", "Finance", "Inventory valuation", "Monthly", 3),
    ("Supply Chain", "Regulatory", "Manufacturing change notifications", "Ad hoc", 4),
    ("Finance", "Sales", "Incentive calculations", "Quarterly", 3),
    ("Finance", "Marketing", "Budget approvals", "Quarterly", 3),
    ("Finance", "Clinical Operations", "Trial budget approvals", "Quarterly", 4),
    ("Finance", "Supply Chain", "Cost of goods reporting", "Monthly", 3),
    ("Finance", "HR", "Headcount budget", "Quarterly", 3),
    ("Finance", "Medical Affairs", "Budget tracking", "Quarterly", 2),
    ("Finance", "IT", "IT investment approvals", "Quarterly", 3),
    ("Finance", "Market Access", "Gross-to-net analysis", "Monthly", 3),
    ("HR", "Sales", "Field force recruitment", "Ad hoc", 4),
    ("HR", "Clinical Operations", "Recruitment and onboarding", "Ad hoc", 3),
    ("HR", "Medical Affairs", "Learning and development", "Quarterly", 2),
    ("HR", "Marketing", "Performance management support", "Quarterly", 2),
    ("HR", "Supply Chain", "Workforce planning", "Quarterly", 2),
    ("HR", "Finance", "Payroll data", "Monthly", 4),
    ("HR", "IT", "Joiner and leaver notifications", "Weekly", 3),
    ("HR", "Regulatory", "GxP training records", "Quarterly", 2),
    ("IT", "Sales", "CRM and field systems", "Daily", 5),
    ("IT", "Marketing", "Digital channels and websites", "Weekly", 4),
    ("IT", "Clinical Operations", "Clinical trial systems (EDC, CTMS)", "Daily", 5),
    ("IT", "Regulatory", "Submission publishing system", "Weekly", 4),
    ("IT", "Pharmacovigilance", "Safety database", "Daily", 5),
    ("IT", "Finance", "ERP and reporting", "Daily", 4),
    ("IT", "Supply Chain", "ERP and serialisation systems", "Daily", 5),
    ("IT", "Medical Affairs", "Medical information system", "Weekly", 3),
    ("IT", "HR", "HR information system", "Weekly", 3),
    ("IT", "Market Access", "Pricing and contract systems", "Monthly", 3),
    (LEGAL, "Marketing", "Contract and code review", "Weekly", 4),
    (LEGAL, "Sales", "Compliance training and monitoring", "Quarterly", 3),
    (LEGAL, "Medical Affairs", "HCP engagement contract review", "Monthly", 4),
    (LEGAL, "Market Access", "Tender and contract review", "Ad hoc", 3),
    (LEGAL, "Clinical Operations", "Clinical trial agreements", "Monthly", 4),
    (LEGAL, "HR", "Employment law advice", "Ad hoc", 2),
    (LEGAL, "Supply Chain", "Supplier contracts", "Ad hoc", 3),
)

# --------------------------------------------------------------------------------------------
# The survey
# --------------------------------------------------------------------------------------------

WAVES = ("2025-H1", "2025-H2", "2026-H1")
CURRENT_WAVE = WAVES[-1]
#: First day of each wave's fieldwork (three weeks, Monday to Friday).
WAVE_START = {"2025-H1": date(2025, 3, 3), "2025-H2": date(2025, 9, 8), "2026-H1": date(2026, 3, 2)}
FIELDWORK_DAYS = 19
DRIVERS = ("responsiveness", "quality", "communication", "collaboration")

PANEL_SHARE = 0.385  # share of each function's headcount in the survey panel
LEGAL_PANEL = 2  # Legal & Compliance respondents: < 5 responses per wave (effect 4)
PARTICIPATION = 0.8  # chance a panel member answers a given wave
N_PROVIDERS = ((1, 0.3), (2, 0.45), (3, 0.25))  # providers each respondent rates
KEEP_PROVIDER = 0.93  # chance a provider in one's usual set is rated again in a wave
EXTRA_PROVIDER = 0.08  # chance of rating one more (unusual) supplier in a wave
CONSENT_MIX = ((0.9, 0.30), (0.45, 0.35), (0.05, 0.35))  # (P(ok_to_contact), share): ~45%
DRIVER_BLANK = 0.05

#: Latent mean score (0-10 scale) of each provider before effects.
PROVIDER_BASE = {
    "Medical Affairs": 8.35,
    "Marketing": 7.85,
    "Sales": 7.4,
    "Market Access": 7.9,
    "Regulatory": 8.05,
    "Clinical Operations": 7.8,
    "Pharmacovigilance": 8.15,
    "Supply Chain": 8.0,
    "Finance": 7.3,
    "HR": 7.3,
    "IT": 6.2,
    LEGAL: 7.9,
}
#: How generous each customer function is (added to the latent score).
CUSTOMER_EFFECT = {"Sales": -0.3, "Finance": 0.2, "HR": 0.2, "Clinical Operations": -0.1}
GENEROSITY_SD = 0.95  # persistent, per respondent
RELATIONSHIP_SD = 0.9  # persistent, per respondent x provider
WAVE_NOISE_SD = 0.25  # per response
DRIVER_SD = 0.45  # driver-specific part of each response
#: Weight of each driver's specific part on the score: responsiveness strongest.
DRIVER_WEIGHT = {"responsiveness": 0.9, "quality": 0.6, "communication": 0.25, "collaboration": 0.4}

# Planted effects ------------------------------------------------------------------------------
#: Effect 1: Regulatory's latent score in the current wave (slow reviews, overturned decisions).
#: Effect 1b: IT improves modestly wave on wave.
PROVIDER_SHIFT = {
    ("Regulatory", "2026-H1"): -1.0,
    ("IT", "2026-H1"): 0.55,
}
#: How often a respondent's usual providers include Regulatory (weight multiplier): n >= 50.
REGULATORY_WEIGHT = 3.0
#: Effect 2: the Medical Affairs / Marketing silo: they rate each other, and badly.
SILO = ("Medical Affairs", "Marketing")
SILO_SHARE = {"Marketing": 0.55, "Medical Affairs": 0.4}  # share who rate the other side
SILO_PENALTY = -3.2
#: Effect 3: a follow-up that reached the respondent lifts their next rating of that provider.
FOLLOWUP_UPLIFT = 2.3
#: People who were reached are keener to answer the next wave (more before/after pairs).
PARTICIPATION_REACHED = 0.92
FOLLOWUP_DETRACTORS = 0.55  # share of consenting detractors who get a follow-up
FOLLOWUP_PASSIVES = 0.08  # share of consenting passives (7-8) who get one
FOLLOWUP_STATUS = (
    ("contacted", 0.22),
    ("action agreed", 0.28),
    ("closed", 0.32),
    ("no response", 0.11),
    ("open", 0.07),
)
REACHED = ("contacted", "action agreed", "closed")
#: Effect 4: Legal & Compliance as a provider: who rates it, and the cap per wave.
LEGAL_RATERS = 10
LEGAL_RATINGS_CAP = {"2025-H1": 8, "2025-H2": 8, "2026-H1": 4}

# --------------------------------------------------------------------------------------------
# External touchpoints (effect 5: over-contacted KOLs)
# --------------------------------------------------------------------------------------------

TOUCH_START, TOUCH_DAYS = date(2025, 7, 1), 365
KOL_COUNT = 20
KOL_TOUCHES = (45, 80)  # touches per KOL in the year
TYPICAL_TOUCHES = (3, 10)  # touches per other external stakeholder
#: segment -> (how many, id prefix)
SEGMENTS = {
    "KOL": (KOL_COUNT, "HCP"),
    "High prescriber": (125, "HCP"),
    "Hospital specialist": (150, "HCP"),
    "General practitioner": (235, "HCP"),
    "Hospital pharmacist": (42, "PHA"),
    "Payer": (28, "PAY"),
}
TOUCH_FUNCTIONS = (
    "Sales",
    "Marketing",
    "Medical Affairs",
    "Market Access",
    "Clinical Operations",
    "Pharmacovigilance",
)
#: segment -> weight of each function in TOUCH_FUNCTIONS order
SEGMENT_MIX = {
    "KOL": (0.22, 0.28, 0.32, 0.05, 0.09, 0.04),
    "High prescriber": (0.78, 0.07, 0.06, 0.02, 0.03, 0.04),
    "Hospital specialist": (0.55, 0.05, 0.12, 0.03, 0.21, 0.04),
    "General practitioner": (0.84, 0.06, 0.03, 0.0, 0.0, 0.07),
    "Hospital pharmacist": (0.45, 0.1, 0.1, 0.3, 0.0, 0.05),
    "Payer": (0.1, 0.0, 0.15, 0.75, 0.0, 0.0),
}
CHANNELS = {
    "Sales": {"Face to face": 0.5, "Remote detail": 0.25, "Email": 0.15, "Phone": 0.1},
    "Marketing": {"Email": 0.5, "Webinar": 0.3, "Congress": 0.2},
    "Medical Affairs": {
        "Face to face": 0.35,
        "Advisory board": 0.15,
        "Congress": 0.2,
        "Email": 0.15,
        "Webinar": 0.15,
    },
    "Market Access": {"Face to face": 0.5, "Email": 0.3, "Phone": 0.2},
    "Clinical Operations": {"Face to face": 0.4, "Email": 0.4, "Phone": 0.2},
    "Pharmacovigilance": {"Email": 0.6, "Phone": 0.4},
}
TOPICS = {
    "Sales": (
        "Corvexa efficacy data",
        "Corvexa dosing and titration",
        "Nuvalin formulary update",
        "Brenzaro patient starter packs",
        "Patient support programme enrolment",
        "Follow-up on previous visit",
    ),
    "Marketing": (
        "Corvexa campaign: heart failure awareness",
        "Patient education materials",
        "Webinar invitation: diabetes update",
        "Congress symposium invitation",
        "Digital newsletter",
    ),
    "Medical Affairs": (
        "Phase III data discussion",
        "Advisory board: heart failure",
        "Investigator-initiated study proposal",
        "Medical information request",
        "Real-world evidence update",
        "Speaker training",
    ),
    "Market Access": (
        "HTA dossier",
        "Budget impact model",
        "Formulary listing",
        "Tender discussion",
        "Managed entry agreement",
    ),
    "Clinical Operations": (
        "Site feasibility: HLX-204 trial",
        "Patient recruitment update",
        "Site initiation visit",
        "Protocol amendment",
    ),
    "Pharmacovigilance": (
        "Adverse event follow-up",
        "Safety information update",
        "Risk management materials",
    ),
}

TABLES = (
    "functions",
    "stakeholders",
    "roster",
    "responses",
    "relationships",
    "touchpoints",
    "followups",
)
_STREAMS = ("names", "stakeholders", "panel", "survey", "comments", "followups", "touchpoints")

# --------------------------------------------------------------------------------------------
# Names and verbatim fragments
# --------------------------------------------------------------------------------------------

#: Name pools (space separated; Min-jun style names keep their hyphen).
FIRST_NAMES = (
    "Priya Arjun Ananya Rahul Kavya Rohan Deepa Arnav Mei Wei Jun Lin Hiroshi Yuki Sakura Kenji "
    "Min-jun Seo-yeon Ji-ho Olivia James Emma Oliver Sophie Thomas Charlotte William Hannah "
    "Lukas Anna Jonas Lena Felix Sofia Mateo Lucía Javier Carmen Diego Isabel Giulia Marco "
    "Francesca Luca Chiara Camille Louis Chloé Julien Manon Pierre Amélie Lars Ingrid Erik "
    "Astrid Nils Freya Aleksander Katarzyna Piotr Agnieszka Tomasz Zofia Dmitri Elena Irina "
    "Andriy Oksana Fatima Omar Layla Youssef Amira Hassan Nour Kwame Ama Chinedu Ngozi Tunde "
    "Amara Thabo Zanele Aisha Ibrahim Leila Mehmet Elif Emre Noa Yael Daniel Rachel Gabriel "
    "Beatriz João Mariana Rafael Ana Siobhan Ciarán Aoife Niamh Rhys Megan Ewan Isla Kofi Sipho "
    "Linh Minh Thao Tariq Samira Paul Laura Martin Eva"
)
LAST_NAMES = (
    "Raman Sharma Patel Iyer Gupta Reddy Nair Menon Chen Wang Zhang Liu Tanaka Sato Nakamura "
    "Fujita Kim Park Lee Smith Brown Taylor Wilson Evans Thompson Müller Schmidt Weber Fischer "
    "Becker Hoffmann Richter Wagner García Martínez Fernández López Morales Herrera Castillo "
    "Vargas Rossi Bianchi Romano Colombo Ricci Greco Dubois Lefèvre Moreau Laurent Girard "
    "Fontaine Mercier Johansson Lindqvist Andersen Hansen Nilsen Svensson Berg Virtanen "
    "Korhonen Kowalski Nowak Wiśniewski Horvat Novák Popescu Ionescu Papadopoulos Nikolaidis "
    "Haddad Khoury Mansour Benali Mensah Owusu Okafor Adeyemi Nwosu Dlamini Nkosi Khumalo "
    "Yilmaz Demir Kaya Cohen Levi Silva Santos Oliveira Costa Pereira O'Brien Murphy Kelly "
    "Walsh Jones Davies MacLeod Campbell Stewart Nguyen Tran Pham Rahman Hossain Khan Ahmed "
    "Okonkwo Jansen Bakker Visser Peeters Janssens Kovač"
)

#: Negative sentences by theme; ``{p}`` is the rated function.
NEGATIVE = {
    "slow": (
        "Responses take far too long, we chase {p} for everything.",
        "Waited three weeks for an answer to a simple question.",
        "Turnaround is unpredictable, sometimes 2 days and sometimes 2 months.",
        "Emails to {p} disappear into a black hole.",
        "We keep missing our own deadlines because we are waiting on {p}.",
        "Nobody replies unless you escalate.",
    ),
    "slow_review": (
        "Review turnaround for promotional material has gone from one week to nearly four.",
        "Our label update sat in the review queue for six weeks with no feedback at all.",
        "Every review round takes longer than the last, and comments arrive the day before launch.",
        "The review backlog is wrecking our launch timelines.",
        "Submitted the materials in January, still waiting for approval in March.",
        "Nobody can tell us where our submission is in the review queue.",
        "Reviews now take so long that we plan campaigns around {p}, not around customers.",
    ),
    "overturned": (
        "Decisions we agree in the meeting get overturned afterwards by someone who was not in "
        "the room.",
        "We aligned on the approach in the project team and two days later {p} reversed it.",
        "Agreed positions keep changing after the meeting, so we redo the same work again.",
        "Sign-off in the room means nothing, the real decision is taken later by their leadership.",
        'We have had a "final" decision three times on the same claim.',
        "What was approved in January was rejected in February with no new information.",
    ),
    "priorities": (
        "Their priorities are not ours, our projects always come last.",
        "Resources get pulled from our project without warning.",
        "{p} works to its own targets, not to the launch plan.",
        "There is no shared view of what matters most this quarter.",
        "They never have capacity for anything outside their own plan.",
    ),
    "data": (
        "Data is not shared unless you ask three times.",
        "We heard about the new data at an external congress, not from {p}.",
        "Insights stay inside {p}, so we end up rebuilding the same analysis.",
        "Getting access to their dashboards is a fight every time.",
        "They sit on information that would save us weeks.",
    ),
    "ownership": (
        "Nobody knows who owns what, every question bounces between three people.",
        "Unclear who makes the final call on anything.",
        "We get passed from person to person and no one takes ownership.",
        "Who is our contact now? It changed twice this year.",
    ),
    "collaboration": (
        "Feels like we are on different teams, not one company.",
        "It is us and them, there is no real partnership.",
        "Meetings are polite but nothing happens afterwards.",
    ),
    "communication": (
        "We hear about changes after they happen.",
        "Communication is patchy and very top-down.",
        "Updates arrive by email at 6pm on a Friday.",
        "Mixed messages from different people in {p}.",
    ),
    "quality": (
        "The quality of the output is inconsistent, we often have to redo it.",
        "Advice is overly cautious and not very practical.",
        "Errors in the numbers, again.",
        "Lots of expertise, but it never reaches us in a form we can use.",
    ),
    "process": (
        "Too many forms and approval steps for simple requests.",
        "Very bureaucratic, five signatures for a small change.",
        "Every request needs a ticket, a template and a meeting.",
        "Process for the sake of process.",
    ),
    "tools": (
        "The systems are slow and crash at the worst moments.",
        "The CRM is painful to use and nobody has fixed the sync issue.",
        "Still waiting for a replacement laptop after 4 weeks.",
        "Too many tools that don't talk to each other.",
        "Tickets get closed without the problem being solved.",
    ),
    "silo": (
        "We see the same KOLs and never compare notes.",
        "Found out {p} had an advisory board with our top KOLs after the fact.",
        "Two teams, the same doctors, no shared plan.",
        "Physicians tell us they were contacted by both teams in the same week.",
    ),
}
POSITIVE = {
    "fast": (
        "Always quick to respond, even at short notice.",
        "Fast turnaround and no drama.",
        "They get back to us within a day, every time.",
        "Urgent requests get handled the same day.",
        "Responsive and reliable, deadlines are met.",
        "When we are under pressure they make time for us.",
    ),
    "collaboration": (
        "Great collaboration on the launch, it felt like one team.",
        "Really good partnership this year.",
        "They join our project meetings and it shows.",
        "Working with {p} is genuinely easy.",
        "They bring solutions, not just problems.",
        "Proper two-way relationship, they ask what we need.",
        "We plan together now and it saves everyone time.",
    ),
    "communication": (
        "Clear communication and no surprises.",
        "Good at keeping us updated.",
        "Very transparent about timelines.",
        "They tell us early when something slips.",
        "The monthly update from {p} is actually useful.",
    ),
    "quality": (
        "Top expertise, they know their stuff.",
        "High quality work, well thought through.",
        "Practical, pragmatic advice we can actually use.",
        "Excellent support when we needed it most.",
        "Consistently accurate, we rarely need to check their work.",
        "Knowledgeable people who explain the why, not just the what.",
    ),
    "tools": (
        "The new self-service portal is a big improvement.",
        "The new system went live smoothly, well done.",
        "Laptop swap took ten minutes, impressive.",
    ),
    "ownership": (
        "A clear single point of contact makes life easy.",
        "We always know who to call and they own the answer.",
    ),
    "followup": (
        "Since they reached out after the last survey things have really improved.",
        "Appreciated the follow-up call, we can see changes.",
        "They listened to our feedback last time and it shows.",
        "After the conversation following the last survey a lot has changed for the better.",
    ),
}
SHORT = {
    "neg": (
        "Too slow.",
        "Not responsive.",
        "Difficult to work with.",
        "Very bureaucratic",
        "no ownership",
        "Poor.",
        "Still slow.",
        "Hard to get anything done.",
        "Frustrating!",
        "Slow and unclear.",
        "Nothing changes.",
        "Black box.",
    ),
    "mixed": (
        "OK overall.",
        "Fine, nothing special.",
        "Good but could be faster.",
        "Improving, slowly.",
        "Depends who you get.",
        "Good people, too much process.",
        "Mostly fine",
        "Room to improve.",
        "Helpful when you reach the right person.",
    ),
    "pos": (
        "Great team!",
        "Excellent.",
        "Always helpful, thank you",
        "No complaints.",
        "Brilliant support.",
        "Keep doing what you do",
        "Super helpful",
        "Spot on.",
        "A pleasure to work with.",
    ),
}
OPENERS = ("Honestly, ", "To be frank, ", "Sadly ", "As before, ", "Again ", "Tbh ")
#: Optional lead-ins that fit any theme; only put before sentences that start with these words.
CONTEXTS = (
    "On the Corvexa launch",
    "For the HLX-204 study",
    "In the last six months",
    "Since the reorganisation",
    "On day-to-day requests",
    "This year",
    "Lately",
    "On our joint projects",
    "In my experience",
    "For my team",
    "Since January",
)
CONTEXT_SAFE = {
    "The",
    "Every",
    "Decisions",
    "Data",
    "Responses",
    "Nobody",
    "Turnaround",
    "We",
    "Our",
    "Their",
    "Resources",
    "There",
    "They",
    "Agreed",
    "Getting",
    "Insights",
    "Communication",
    "Updates",
    "Advice",
    "Lots",
    "Too",
    "Tickets",
    "Meetings",
    "It",
    "Really",
    "Great",
    "Good",
    "Very",
    "Clear",
    "Working",
    "High",
    "Practical",
    "Always",
    "Fast",
    "Review",
    "Reviews",
}
CLOSERS = {
    "neg": (
        "Needs to change.",
        "Please fix this.",
        "Very frustrating.",
        "We raised this last year too.",
        "Not a criticism of the individuals, they are overloaded.",
        "It's getting worse.",
        "Happy to discuss.",
    ),
    "pos": (
        "Thanks!",
        "Keep it up.",
        "Thanks to the whole team.",
        "Great job.",
        "Long may it continue.",
    ),
}
#: Theme weights for negative comments: default, and per provider (or provider in a wave).
NEG_THEMES = {
    "default": {
        "slow": 3,
        "priorities": 1.5,
        "data": 1,
        "ownership": 1.5,
        "overturned": 1,
        "collaboration": 1,
        "communication": 2,
        "quality": 1.5,
        "process": 2,
        "tools": 0.3,
    },
    "IT": {"slow": 3, "tools": 5, "process": 2, "ownership": 1, "communication": 1},
    "Finance": {"process": 4, "slow": 2, "communication": 1, "quality": 1, "priorities": 1},
    "HR": {"process": 3, "slow": 2, "communication": 2, "ownership": 1},
    "Regulatory": {
        "slow_review": 2,
        "process": 2,
        "quality": 1,
        "communication": 1,
        "overturned": 1,
    },
    ("Regulatory", CURRENT_WAVE): {"slow_review": 5, "overturned": 4, "communication": 1},
    "silo": {
        "silo": 3,
        "overturned": 2,
        "data": 2,
        "priorities": 1.5,
        "ownership": 1,
        "collaboration": 1.5,
    },
}
POS_THEMES = {
    "default": {
        "fast": 2,
        "collaboration": 2,
        "communication": 1.5,
        "quality": 3,
        "ownership": 0.5,
    },
    "IT": {"fast": 2, "tools": 3, "quality": 1, "communication": 1},
}
COMMENT_RATE = {"neg": 0.5, "mixed": 0.33, "pos": 0.3}

ACTIONS = (
    "Call to understand the feedback and agree one improvement",
    "Joint review of turnaround times with the customer team",
    "Monthly planning meeting between the two teams",
    "Agree a single point of contact for requests",
    "Share the project tracker with the customer team",
    "Walk through the approval process and remove a signature step",
    "Agree service levels for standard requests",
    "Invite the customer to the quarterly priorities review",
    "Fix the reported system issue and confirm with the user",
    "Agree how decisions are recorded and who can change them",
    "Open the shared data folder and dashboards to the team",
    "Clarify ownership (RACI) for the launch workstream",
    "Fast-track lane for urgent requests",
    "Short training on the new request form",
)
OUTCOMES = {
    "open": ("", "Not contacted yet."),
    "no response": ("Two e-mails and a call, no reply.", "Respondent did not reply."),
    "contacted": (
        "Call held, the issue is understood; actions being worked out.",
        "Met the customer; root cause under review.",
        "First conversation done, second meeting booked.",
    ),
    "action agreed": (
        "Action agreed with the customer, due next quarter.",
        "Plan agreed, first step done.",
        "Agreed with the customer; owner named and date set.",
    ),
    "closed": (
        "Action completed and confirmed with the customer.",
        "Customer says things are better; closed.",
        "Done; turnaround now within the agreed service level.",
        "Closed after the second meeting, customer satisfied.",
    ),
}

# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


@dataclass
class _Person:
    """A survey panel member."""

    respondent_id: str
    name: str
    function: str
    stakeholder_id: str
    consent: float
    generosity: float
    relationship: dict[str, float]
    providers: list[str] = field(default_factory=list)


def _pick(rng: np.random.Generator, weights: dict) -> object:
    """One key of ``weights``, drawn with probability proportional to its value."""
    keys = list(weights)
    p = np.array([weights[k] for k in keys], dtype=float)
    return keys[int(rng.choice(len(keys), p=p / p.sum()))]


def _one(rng: np.random.Generator, items: tuple | list) -> object:
    return items[int(rng.integers(len(items)))]


def _email(name: str) -> str:
    """``firstname.lastname@helixbio.example`` in plain ASCII."""
    ascii_ = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    first, last = ascii_.split(" ", 1)
    return f"{re.sub('[^a-z0-9-]', '', first)}.{re.sub('[^a-z0-9-]', '', last)}@helixbio.example"


def _names(rng: np.random.Generator, n: int, *, middle: bool = False) -> list[str]:
    """``n`` distinct full names (distinct e-mail addresses too); with a middle name when
    ``middle`` (a scaled client needs more names than first x last)."""
    out: list[str] = []
    seen: set[str] = set()
    first, last = FIRST_NAMES.split(), LAST_NAMES.split()
    while len(out) < n:
        given = f"{_one(rng, first)} {_one(rng, first)}" if middle else _one(rng, first)
        name = f"{given} {_one(rng, last)}"
        if _email(name) not in seen:
            seen.add(_email(name))
            out.append(name)
    return out


# --------------------------------------------------------------------------------------------
# Tables
# --------------------------------------------------------------------------------------------


def _relationships() -> pd.DataFrame:
    """The SIPOC edges as a table."""
    cols = ["supplier_function", "customer_function", "deliverable", "frequency", "criticality"]
    return pd.DataFrame(list(RELATIONSHIPS), columns=cols)


def _levels(n: int) -> list[str]:
    """Levels of a function's ``n`` register members: the head first."""
    rest = n - 1
    n_dir = max(1, round(rest * 0.3))
    n_mgr = max(1 if rest >= 2 else 0, round(rest * 0.35))
    return (
        ["Executive"]
        + ["Director"] * n_dir
        + ["Manager"] * n_mgr
        + ["Individual contributor"] * (rest - n_dir - n_mgr)
    )


def _stakeholder_rows(rng: np.random.Generator, names: list[str]) -> list[dict]:
    """Register members with their function, level, role and manager (heads first)."""
    members = [(f, lvl) for f, *_, n in FUNCTIONS for lvl in _levels(n)]
    members = [m for m in members if m[1] == "Executive"] + [
        m for m in members if m[1] != "Executive"
    ]
    rows = []
    for i, (function, level) in enumerate(members):
        rows.append(
            {
                "stakeholder_id": f"S{i + 1:03d}",
                "name": names[i],
                "role": ROLES[function][LEVELS.index(level)],
                "function": function,
                "level": level,
            }
        )
    for row in rows:
        row["reports_to"] = _manager(rng, row, rows)
    return rows


def _manager(rng: np.random.Generator, row: dict, rows: list[dict]) -> str:
    """The register member one level up in the same function ('' for the heads)."""
    level = LEVELS.index(row["level"])
    for up in range(level - 1, -1, -1):
        bosses = [r for r in rows if r["function"] == row["function"] and r["level"] == LEVELS[up]]
        if bosses:
            return _one(rng, bosses)["stakeholder_id"]
    return ""


_INFLUENCE = {
    "Executive": ((4, 5), (0.3, 0.7)),
    "Director": ((3, 4, 5), (0.3, 0.5, 0.2)),
    "Manager": ((2, 3, 4), (0.3, 0.5, 0.2)),
    "Individual contributor": ((1, 2, 3), (0.4, 0.4, 0.2)),
}
_SALIENCE = {  # (power, legitimacy, urgency) of each Mitchell class
    "Dormant": (True, False, False),
    "Discretionary": (False, True, False),
    "Demanding": (False, False, True),
    "Dominant": (True, True, False),
    "Dangerous": (True, False, True),
    "Dependent": (False, True, True),
    "Definitive": (True, True, True),
    "None": (False, False, False),
}


def _salience(rng: np.random.Generator, rows: list[dict]) -> None:
    """Power (mostly the influential), legitimacy, urgency; every class present, 3+ with none."""
    for row in rows:
        row["power"] = bool(rng.random() < (0.85 if row["influence"] >= 4 else 0.12))
        row["legitimacy"] = bool(rng.random() < 0.6)
        row["urgency"] = bool(rng.random() < 0.35)
    for cls, attrs in _SALIENCE.items():
        have = [r for r in rows if (r["power"], r["legitimacy"], r["urgency"]) == attrs]
        for _ in range((3 if cls == "None" else 1) - len(have)):
            counts = {a: 0 for a in _SALIENCE.values()}
            for r in rows:
                counts[(r["power"], r["legitimacy"], r["urgency"])] += 1
            biggest = max(counts, key=counts.get)
            donors = [
                r for r in rows[12:] if (r["power"], r["legitimacy"], r["urgency"]) == biggest
            ]
            donor = _one(rng, donors)
            donor["power"], donor["legitimacy"], donor["urgency"] = attrs


def _engagement(rng: np.random.Generator, rows: list[dict]) -> None:
    """Current vs desired engagement: desired >= current mostly, big gaps among the powerful."""
    for row in rows:
        cur = int(rng.choice(5, p=[0.1, 0.15, 0.35, 0.3, 0.1]))
        if row["influence"] >= 4:
            des = max(cur, int(rng.choice([3, 4], p=[0.5, 0.5])))
        else:
            des = min(4, cur + int(rng.choice([0, 1], p=[0.6, 0.4])))
        if rng.random() < 0.05 and cur > 0:
            des = cur - 1  # a few people are more engaged than needed
        row["engagement_current"], row["engagement_desired"] = ENGAGEMENT[cur], ENGAGEMENT[des]
    powerful = [r for r in rows if r["influence"] >= 4]
    for i in rng.choice(len(powerful), size=6, replace=False):
        row = powerful[int(i)]
        row["engagement_current"] = ENGAGEMENT[int(rng.integers(0, 2))]  # Unaware or Resistant
        row["engagement_desired"] = ENGAGEMENT[int(rng.integers(3, 5))]  # Supportive or Leading


def _stakeholders(rng: np.random.Generator, names: list[str]) -> pd.DataFrame:
    """The stakeholder register: ~80 people, every function, heads first."""
    rows = _stakeholder_rows(rng, names)
    for row in rows:
        values, p = _INFLUENCE[row["level"]]
        row["influence"] = int(rng.choice(values, p=p))
        row["interest"] = int(rng.choice([1, 2, 3, 4, 5], p=[0.08, 0.17, 0.3, 0.27, 0.18]))
    _salience(rng, rows)
    _engagement(rng, rows)
    for row in rows:
        if row["level"] == "Executive":
            deputies = [r for r in rows if r["reports_to"] == row["stakeholder_id"]]
            row["relationship_owner"] = deputies[0]["stakeholder_id"]
        elif rng.random() < 0.6:
            row["relationship_owner"] = row["reports_to"]
        else:
            row["relationship_owner"] = _head(rows, row["function"])
    cols = [
        "stakeholder_id",
        "name",
        "role",
        "function",
        "level",
        "reports_to",
        "influence",
        "interest",
        "power",
        "legitimacy",
        "urgency",
        "engagement_current",
        "engagement_desired",
        "relationship_owner",
    ]
    return pd.DataFrame(rows)[cols]


def _head(rows: list[dict], function: str) -> str:
    return next(
        r["stakeholder_id"] for r in rows if r["function"] == function and r["level"] == "Executive"
    )


def _functions(
    stakeholders: pd.DataFrame, size: float = 1, small_legal: bool = True
) -> pd.DataFrame:
    """Functions with headcount, head and their own NPS guess (the 360 gap, effect 6)."""
    heads = stakeholders[stakeholders["level"] == "Executive"].set_index("function")
    rows = [
        {
            "function": f,
            "headcount": hc if f == LEGAL and small_legal else round(hc * size),
            "head_id": heads.at[f, "stakeholder_id"],
            "predicted_nps": guess,
        }
        for f, hc, guess, _ in FUNCTIONS
    ]
    return pd.DataFrame(rows)


def _usual_providers(rng: np.random.Generator, function: str) -> list[str]:
    """A respondent's stable set of 1-3 providers, drawn from their function's SIPOC suppliers."""
    edges = [e for e in RELATIONSHIPS if e[1] == function and e[0] != LEGAL]
    if not edges:  # Legal & Compliance is nobody's SIPOC customer: it rates the big suppliers
        edges = [("Finance", LEGAL, "", "", 3), ("HR", LEGAL, "", "", 3), ("IT", LEGAL, "", "", 4)]
    weights = np.array(
        [e[4] ** 1.5 * (REGULATORY_WEIGHT if e[0] == "Regulatory" else 1) for e in edges]
    )
    k = int(rng.choice([n for n, _ in N_PROVIDERS], p=[p for _, p in N_PROVIDERS]))
    k = min(k, len(edges), 2 if function == LEGAL else 3)
    idx = rng.choice(len(edges), size=k, replace=False, p=weights / weights.sum())
    return [edges[int(i)][0] for i in idx]


def _add_provider(person: _Person, provider: str) -> None:
    """Add ``provider`` to a usual set, replacing the last one if the set is full."""
    if provider in person.providers:
        return
    if len(person.providers) >= 3:
        person.providers[-1] = provider
    else:
        person.providers.append(provider)


def _quota(size: float = 1, small_legal: bool = True) -> dict[str, int]:
    """Survey panel members per function (Legal & Compliance small at every size, where
    ``small_legal``)."""
    return {
        f: LEGAL_PANEL if f == LEGAL and small_legal else round(hc * PANEL_SHARE * size)
        for f, hc, *_ in FUNCTIONS
    }


def _panel(
    rng: np.random.Generator,
    stakeholders: pd.DataFrame,
    names: list[str],
    size: float = 1,
    small_legal: bool = True,
) -> list[_Person]:
    """~330 survey panel members (x ``size``), some of them in the stakeholder register."""
    quota = _quota(size, small_legal)
    members: list[tuple[str, str, str]] = []
    for f in FUNCTION_NAMES:
        register = stakeholders[stakeholders["function"] == f]
        chosen = register[rng.random(len(register)) < 0.45].head(quota[f] - 1)
        members += [(f, r.name, r.stakeholder_id) for r in chosen.itertuples()]
        members += [(f, "", "")] * (quota[f] - len(chosen))
    spare = iter(names)
    order = rng.permutation(len(members))
    panel = []
    for i, j in enumerate(order):
        f, name, sid = members[int(j)]
        consent = float(rng.choice([c for c, _ in CONSENT_MIX], p=[s for _, s in CONSENT_MIX]))
        person = _Person(
            respondent_id=f"P{i + 1:04d}",
            name=name or next(spare),
            function=f,
            stakeholder_id=sid,
            consent=consent,
            generosity=float(rng.normal(0, GENEROSITY_SD)),
            relationship={p: float(rng.normal(0, RELATIONSHIP_SD)) for p in FUNCTION_NAMES},
        )
        person.providers = _usual_providers(rng, f)
        other = {SILO[0]: SILO[1], SILO[1]: SILO[0]}.get(f)
        if other and rng.random() < SILO_SHARE[f]:
            _add_provider(person, other)
        panel.append(person)
    legal_customers = {e[1] for e in RELATIONSHIPS if e[0] == LEGAL} - {"HR", "Supply Chain"}
    candidates = [p for p in panel if p.function in legal_customers]
    for i in rng.choice(len(candidates), size=LEGAL_RATERS, replace=False):
        _add_provider(candidates[int(i)], LEGAL)
    return panel


def _wave_providers(rng: np.random.Generator, person: _Person) -> list[str]:
    """The providers a participant rates this wave: mostly the usual ones."""
    rated = [p for p in person.providers if rng.random() < KEEP_PROVIDER] or person.providers[:1]
    if rng.random() < EXTRA_PROVIDER and len(rated) < (2 if person.function == LEGAL else 3):
        extra = _usual_providers(rng, person.function)[0]
        if extra not in rated:
            rated.append(extra)
    return rated


def _submitted_at(rng: np.random.Generator, wave: str) -> str:
    """A weekday timestamp inside the wave's fieldwork window."""
    while True:
        day = WAVE_START[wave] + timedelta(days=int(rng.integers(FIELDWORK_DAYS)))
        if day.weekday() < 5:
            break
    hour = int(rng.choice([8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 20, 21]))
    moment = datetime(
        day.year, day.month, day.day, hour, int(rng.integers(60)), int(rng.integers(60))
    )
    return moment.isoformat()


def _latent(
    rng: np.random.Generator, person: _Person, provider: str, wave: str, uplift: float
) -> float:
    """The latent satisfaction of one respondent with one provider in one wave (0-10 scale)."""
    silo = SILO_PENALTY if {person.function, provider} == set(SILO) else 0.0
    return (
        PROVIDER_BASE[provider]
        + PROVIDER_SHIFT.get((provider, wave), 0.0)
        + CUSTOMER_EFFECT.get(person.function, 0.0)
        + silo
        + person.generosity
        + person.relationship[provider]
        + uplift
        + rng.normal(0, WAVE_NOISE_SD)
    )


def _rate(rng: np.random.Generator, latent: float) -> tuple[int, dict[str, object]]:
    """Score 0-10 and the four driver ratings 1-5 (about 5% blank) for one latent level."""
    specific = {d: float(rng.normal(0, DRIVER_SD)) for d in DRIVERS}
    score = int(
        np.clip(np.rint(latent + sum(DRIVER_WEIGHT[d] * specific[d] for d in DRIVERS)), 0, 10)
    )
    drivers: dict[str, object] = {}
    for d in DRIVERS:
        value = 3.4 + 0.5 * (latent - 7.5) + 1.3 * specific[d] + rng.normal(0, 0.45)
        blank = rng.random() < DRIVER_BLANK
        drivers[f"driver_{d}"] = pd.NA if blank else int(np.clip(np.rint(value), 1, 5))
    return score, drivers


def _tone(score: int) -> str:
    return "neg" if score <= 6 else ("mixed" if score <= 8 else "pos")


def _themes(provider: str, wave: str, silo: bool, positive: bool) -> dict[str, float]:
    if positive:
        return POS_THEMES.get(provider, POS_THEMES["default"])
    if silo:
        return NEG_THEMES["silo"]
    return NEG_THEMES.get((provider, wave), NEG_THEMES.get(provider, NEG_THEMES["default"]))


def _sentence(
    rng: np.random.Generator,
    provider: str,
    wave: str,
    silo: bool,
    positive: bool,
    avoid: tuple[str, ...] = (),
) -> tuple[str, str]:
    """(theme, sentence) in the wanted tone, avoiding the themes already used."""
    weights = {k: v for k, v in _themes(provider, wave, silo, positive).items() if k not in avoid}
    theme = str(_pick(rng, weights))
    pool = (POSITIVE if positive else NEGATIVE)[theme]
    text = str(_one(rng, pool)).replace("{p}", provider)
    if positive and rng.random() < 0.15:
        text = text.rstrip(".") + "!"
    return theme, text


def _lead(rng: np.random.Generator, text: str, provider: str) -> str:
    """Sometimes put a context ('On the Corvexa launch, ...') or an opener before a sentence."""
    if text.startswith(provider) or text.split(" ", 1)[0] not in CONTEXT_SAFE:
        return text
    roll = rng.random()
    if roll < 0.3:
        return f"{_one(rng, CONTEXTS)}, {text[0].lower()}{text[1:]}"
    if roll < 0.4:
        return f"{_one(rng, OPENERS)}{text[0].lower()}{text[1:]}"
    return text


def _typo(rng: np.random.Generator, text: str) -> str:
    """Now and then, the slips people make when typing fast."""
    roll = rng.random()
    words = text.split(" ")
    long_ = [i for i, w in enumerate(words) if len(w) >= 6 and w.isalpha()]
    if roll < 0.06 and long_:
        i = int(_one(rng, long_))
        w = words[i]
        j = int(rng.integers(1, len(w) - 2))
        words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2 :]
        return " ".join(words)
    if roll < 0.1:
        return text.rstrip(".")
    if roll < 0.13:
        return text[:1].lower() + text[1:]
    return text


def _comment(
    rng: np.random.Generator, score: int, provider: str, wave: str, silo: bool, followed: bool
) -> str:
    """A verbatim whose tone matches the score, built from fragments (often empty)."""
    tone = _tone(score)
    if rng.random() >= COMMENT_RATE[tone]:
        return ""
    if rng.random() < 0.06:
        return str(_one(rng, SHORT[tone]))
    if tone == "mixed":
        parts = _mixed(rng, provider, wave, silo, followed)
    else:
        positive = tone == "pos"
        theme, first = _sentence(rng, provider, wave, silo, positive)
        parts = [_lead(rng, first, provider)]
        if positive and followed:
            parts.insert(0, str(_one(rng, POSITIVE["followup"])))
        if rng.random() < (0.3 if positive else 0.45):
            parts.append(_sentence(rng, provider, wave, silo, positive, (theme,))[1])
        if rng.random() < 0.35:
            parts.append(str(_one(rng, CLOSERS[tone])))
    joiner = "\n" if len(parts) > 1 and rng.random() < 0.12 else " "
    return _typo(rng, joiner.join(parts))


def _mixed(
    rng: np.random.Generator, provider: str, wave: str, silo: bool, followed: bool
) -> list[str]:
    """A passive's comment: something good, something to improve."""
    theme, good = _sentence(rng, provider, wave, silo, True)
    if followed and rng.random() < 0.6:
        good = str(_one(rng, POSITIVE["followup"]))
    _, bad = _sentence(rng, provider, wave, silo, False, (theme,))
    if rng.random() < 0.5 and "?" not in bad and not bad.startswith(provider):
        return [f"{good.rstrip('.!')}, but {bad[0].lower()}{bad[1:]}"]
    return [_lead(rng, good, provider), bad]


def _pii(
    rng: np.random.Generator,
    kind: str,
    score: int,
    provider: str,
    person: _Person,
    register: pd.DataFrame,
) -> str:
    """One sentence with personal data, for the redaction checks."""
    if kind == "name":
        name = _one(rng, register.loc[register["function"] == provider, "name"].tolist())
        return (
            f"Ask {name}, they fixed it for us in a day."
            if score >= 7
            else f"I have escalated to {name} twice and heard nothing."
        )
    if kind == "email":
        return f"Happy to give details, {_email(person.name)}"
    if kind == "phone":
        return f"Call me on +44 20 7946 0{int(rng.integers(100, 1000))} if useful."
    emp = f"EMP-{int(rng.integers(10000, 100000))}"
    return (
        f"Quote {emp} if you need my details."
        if score >= 7
        else f"My request is logged under {emp} and still open."
    )


def _add_pii(
    rng: np.random.Generator, rows: list[dict], panel: dict[str, _Person], register: pd.DataFrame
) -> None:
    """Append personal data to ten comments (names, e-mail, phone, employee id)."""
    commented = [i for i, r in enumerate(rows) if r["comment"]]
    kinds = ["name"] * 4 + ["email"] * 2 + ["phone"] * 2 + ["emp"] * 2
    for kind, i in zip(kinds, rng.choice(commented, size=len(kinds), replace=False), strict=True):
        row = rows[int(i)]
        person = panel[row["respondent_id"]]
        extra = _pii(rng, kind, row["score"], row["provider_function"], person, register)
        text = row["comment"].rstrip()
        row["comment"] = f"{text}{'' if text[-1] in '.!?' else '.'} {extra}"


def _survey_wave(
    rngs: dict, panel: list[_Person], wave: str, uplift: set, small_legal: bool = True
) -> list[dict]:
    """All responses of one wave; ``uplift`` holds (respondent, provider) pairs followed up."""
    rng, text = rngs["survey"], rngs["comments"]
    rows = []
    legal_left = LEGAL_RATINGS_CAP[wave] if small_legal else len(panel)
    reached = {respondent for respondent, _ in uplift}
    for person in panel:
        keen = person.respondent_id in reached
        if rng.random() >= (PARTICIPATION_REACHED if keen else PARTICIPATION):
            continue
        providers = _wave_providers(rng, person)
        if LEGAL in providers:
            if legal_left > 0:
                legal_left -= 1
            else:
                providers.remove(LEGAL)
        consent = bool(rng.random() < person.consent)
        when = _submitted_at(rng, wave)
        for provider in providers:
            followed = (person.respondent_id, provider) in uplift
            latent = _latent(rng, person, provider, wave, FOLLOWUP_UPLIFT if followed else 0.0)
            score, drivers = _rate(rng, latent)
            silo = {person.function, provider} == set(SILO)
            rows.append(
                {
                    "wave": wave,
                    "submitted_at": when,
                    "respondent_id": person.respondent_id,
                    "respondent_function": person.function,
                    "provider_function": provider,
                    "score": score,
                    "comment": _comment(text, score, provider, wave, silo, followed),
                    **drivers,
                    "ok_to_contact": consent,
                }
            )
    return sorted(
        rows,
        key=lambda r: (
            r["submitted_at"],
            r["respondent_id"],
            FUNCTION_NAMES.index(r["provider_function"]),
        ),
    )


def _followup_rows(
    rng: np.random.Generator, responses: list[dict], stakeholders: pd.DataFrame
) -> list[dict]:
    """Follow-ups of one wave: consenting detractors (and a few passives), with their status."""
    close = max(date.fromisoformat(r["submitted_at"][:10]) for r in responses)
    owners = stakeholders[stakeholders["level"] != "Individual contributor"]
    out = []
    for r in responses:
        share = FOLLOWUP_DETRACTORS if r["score"] <= 6 else FOLLOWUP_PASSIVES
        if not r["ok_to_contact"] or r["score"] >= 9 or rng.random() >= share:
            continue
        status = str(_pick(rng, dict(FOLLOWUP_STATUS)))
        created = close + timedelta(days=int(rng.integers(2, 8)))
        first = created + timedelta(days=int(rng.integers(1, 26))) if status in REACHED else None
        closed = first + timedelta(days=int(rng.integers(10, 60))) if status == "closed" else None
        pool = owners.loc[owners["function"] == r["provider_function"], "stakeholder_id"]
        out.append(
            {
                "response_id": r["response_id"],
                "owner": str(_one(rng, pool.tolist())),
                "created": created.isoformat(),
                "due": (created + timedelta(days=14)).isoformat(),
                "status": status,
                "first_contact_at": first.isoformat() if first else "",
                "closed_at": closed.isoformat() if closed else "",
                "action": ""
                if status == "open" and rng.random() < 0.5
                else str(_one(rng, ACTIONS)),
                "outcome": str(_one(rng, OUTCOMES[status])),
                "_pair": (r["respondent_id"], r["provider_function"]),
            }
        )
    return out


def _survey(
    rngs: dict, panel: list[_Person], stakeholders: pd.DataFrame, small_legal: bool = True
) -> tuple[list[dict], list[dict]]:
    """Responses of every wave and the follow-ups of the earlier waves, in time order."""
    responses: list[dict] = []
    followups: list[dict] = []
    uplift: set = set()
    for wave in WAVES:
        rows = _survey_wave(rngs, panel, wave, uplift, small_legal)
        for i, row in enumerate(rows, start=len(responses) + 1):
            row["response_id"] = f"R{i:05d}"
        responses += rows
        if wave != CURRENT_WAVE:
            done = _followup_rows(rngs["followups"], rows, stakeholders)
            followups += done
            uplift = {f["_pair"] for f in done if f["status"] in REACHED}
    return responses, followups


def _roster(panel: list[_Person], responses: list[dict]) -> pd.DataFrame:
    """Everyone who ever agreed to be contacted, by name (confidential)."""
    consented = {r["respondent_id"] for r in responses if r["ok_to_contact"]}
    people = sorted((p for p in panel if p.respondent_id in consented), key=lambda p: p.name)
    rows = [
        {
            "contact_id": f"C{i + 1:04d}",
            "name": p.name,
            "email": _email(p.name),
            "function": p.function,
            "stakeholder_id": p.stakeholder_id,
            "_respondent": p.respondent_id,
        }
        for i, p in enumerate(people)
    ]
    return pd.DataFrame(rows)


def _responses(rows: list[dict], roster: pd.DataFrame) -> pd.DataFrame:
    """The responses table, with the roster contact id where consent was given."""
    df = pd.DataFrame(rows)
    contact = roster.set_index("_respondent")["contact_id"]
    df["contact_id"] = df["respondent_id"].map(contact).where(df["ok_to_contact"], "")
    for d in DRIVERS:
        df[f"driver_{d}"] = df[f"driver_{d}"].astype("Int64")
    cols = [
        "response_id",
        "wave",
        "submitted_at",
        "respondent_id",
        "respondent_function",
        "provider_function",
        "score",
        "comment",
        *[f"driver_{d}" for d in DRIVERS],
        "ok_to_contact",
        "contact_id",
    ]
    return df[cols]


def _followups(rows: list[dict]) -> pd.DataFrame:
    df = pd.DataFrame(rows).drop(columns="_pair")
    df.insert(0, "followup_id", [f"F{i + 1:04d}" for i in range(len(df))])
    return df


def _externals(rng: np.random.Generator, size: float = 1) -> list[tuple[str, str]]:
    """(external_id, segment) for ~600 physicians, pharmacists and payers (x ``size``)."""
    counts = {s: (round(n * size), prefix) for s, (n, prefix) in SEGMENTS.items()}
    hcp = [s for s, (n, prefix) in counts.items() if prefix == "HCP" for _ in range(n)]
    hcp = [hcp[int(i)] for i in rng.permutation(len(hcp))]
    out = [(f"HCP{i + 1:05d}" if size > 1 else f"HCP{i + 1:04d}", s) for i, s in enumerate(hcp)]
    for segment, (n, prefix) in counts.items():
        if prefix != "HCP":
            out += [(f"{prefix}{i + 1:04d}", segment) for i in range(n)]
    return out


def _touchpoints(rng: np.random.Generator, size: float = 1) -> pd.DataFrame:
    """~5,000 touchpoints (x ``size``) over a year; KOLs get 40+ from 4+ functions (effect 5)."""
    rows = []
    for external_id, segment in _externals(rng, size):
        low, high = KOL_TOUCHES if segment == "KOL" else TYPICAL_TOUCHES
        n = int(rng.integers(low, high + 1))
        mix = np.array(SEGMENT_MIX[segment])
        for _ in range(n):
            function = TOUCH_FUNCTIONS[int(rng.choice(len(mix), p=mix / mix.sum()))]
            day = TOUCH_START + timedelta(days=int(rng.integers(TOUCH_DAYS)))
            rows.append(
                {
                    "external_id": external_id,
                    "segment": segment,
                    "function": function,
                    "channel": str(_pick(rng, CHANNELS[function])),
                    "date": day.isoformat(),
                    "topic": str(_one(rng, TOPICS[function])),
                }
            )
    df = pd.DataFrame(rows).sort_values(
        ["date", "external_id", "function", "channel", "topic"], kind="stable", ignore_index=True
    )
    df.insert(0, "touchpoint_id", [f"T{i + 1:06d}" for i in range(len(df))])
    return df


# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------


#: Regional copies of the organisation in a scaled client, by the name suffix of their
#: functions: the first keeps the sample's names (so "Regulatory" is always a scope).
REGIONS = ("", " Americas", " Asia Pacific", " International")
#: Sizes ``kit sample --scale`` makes (x1 is the sample itself).
SCALES = (1, 4, 16, 64)


def generate(seed: int = 2026, *, scale: int = 1) -> dict[str, pd.DataFrame]:
    """Generate every table of the fictional client Helix Biopharma.

    Parameters
    ----------
    seed
        Seed of ``numpy.random.default_rng``; the same seed always gives the same tables.
    scale
        How many times the sample's data: 1 is the sample; from 4, the organisation has
        regional copies (:data:`REGIONS`: 2 at x4, 4 from x16, so 24 then 48 functions), each
        with ``scale / regions`` times the people, respondents and external stakeholders, and
        every planted effect (Regulatory's fall, the Medical Affairs / Marketing silo, the
        follow-up uplift, a Legal & Compliance too small to show, over-contacted KOLs).

    Returns
    -------
    dict of str to DataFrame
        One table per name in :data:`TABLES`. Missing values are empty strings (text) or
        ``pd.NA`` (driver ratings); dates are ISO strings; flags are booleans.

    Examples
    --------
    >>> t = generate()
    >>> t["responses"]["wave"].value_counts().sort_index().index.tolist()
    ['2025-H1', '2025-H2', '2026-H1']
    """
    if isinstance(scale, bool) or not isinstance(scale, int) or not 1 <= scale <= max(SCALES):
        raise ValueError(f"scale must be a whole number from 1 to {max(SCALES)}, not {scale!r}")
    root = np.random.default_rng(seed)
    if scale == 1:
        rngs = dict(zip(_STREAMS, root.spawn(len(_STREAMS)), strict=True))
        return _client(rngs, _names(rngs["names"], 450), 1)
    regions = REGIONS[: 1 if scale < 4 else 2 if scale < 16 else 4]
    size = scale / len(regions)
    need = sum(f[3] for f in FUNCTIONS) + sum(_quota(size, small_legal=False).values())
    naming, crossing, *streams = root.spawn(len(regions) + 2)
    names = _names(naming, need * len(regions), middle=True)
    parts = [
        _client(
            dict(zip(_STREAMS, stream.spawn(len(_STREAMS)), strict=True)),
            names[i * need : (i + 1) * need],
            size,
            small_legal=i == 0,  # the headquarters' Legal & Compliance: too small to show
        )
        for i, stream in enumerate(streams)
    ]
    return _combine(parts, regions, crossing)


def _client(
    rngs: dict, names: list[str], size: float, small_legal: bool = True
) -> dict[str, pd.DataFrame]:
    """Every table of one organisation of the sample's shape, ``size`` times its people;
    ``small_legal``: Legal & Compliance too small to show (effect 4)."""
    n_register = sum(f[3] for f in FUNCTIONS)
    stakeholders = _stakeholders(rngs["stakeholders"], names[:n_register])
    panel = _panel(rngs["panel"], stakeholders, names[n_register:], size, small_legal)
    rows, follow = _survey(rngs, panel, stakeholders, small_legal)
    _add_pii(rngs["comments"], rows, {p.respondent_id: p for p in panel}, stakeholders)
    roster = _roster(panel, rows)
    return {
        "functions": _functions(stakeholders, size, small_legal),
        "stakeholders": stakeholders,
        "roster": roster.drop(columns="_respondent"),
        "responses": _responses(rows, roster),
        "relationships": _relationships(),
        "touchpoints": _touchpoints(rngs["touchpoints"], size),
        "followups": _followups(follow),
    }


def _base(function: str) -> str:
    """A regional function's headquarters name ("Regulatory Americas" -> "Regulatory")."""
    for suffix in REGIONS[1:]:
        if function.endswith(suffix):
            return function[: -len(suffix)]
    return function


#: Function-name columns of each table, renamed per region.
_FUNCTION_COLUMNS = {
    "functions": ("function",),
    "stakeholders": ("function",),
    "roster": ("function",),
    "responses": ("respondent_function", "provider_function"),
    "relationships": ("supplier_function", "customer_function"),
    "touchpoints": ("function",),
    "followups": (),
}
#: Identifier families: (prefix, digits, the (table, column) holding the ids first, then
#: every (table, column) referring to them).
_ID_FAMILIES = (
    (
        "S",
        5,
        ("stakeholders", "stakeholder_id"),
        (
            ("stakeholders", "reports_to"),
            ("stakeholders", "relationship_owner"),
            ("functions", "head_id"),
            ("roster", "stakeholder_id"),
            ("followups", "owner"),
        ),
    ),
    ("P", 6, ("responses", "respondent_id"), ()),
    ("C", 6, ("roster", "contact_id"), (("responses", "contact_id"),)),
    ("R", 6, ("responses", "response_id"), (("followups", "response_id"),)),
    ("F", 6, ("followups", "followup_id"), ()),
    ("T", 8, ("touchpoints", "touchpoint_id"), ()),
)


#: Share of a region's ratings that go to the headquarters' function of the same name (not
#: Legal & Compliance's: small at the headquarters), as regional teams also work with it.
CROSS_REGION = 0.1


def _combine(
    parts: list[dict[str, pd.DataFrame]], regions: tuple[str, ...], rng: np.random.Generator
) -> dict:
    """The regions' tables as one client: functions suffixed by region, a share of the
    regions' ratings given to the headquarters' function (:data:`CROSS_REGION`), ids numbered
    anew (responses in wave and submission order, touchpoints by date), the same columns."""
    tables = {}
    for name in TABLES:
        frames = []
        for region, (suffix, part) in enumerate(zip(regions, parts, strict=True)):
            df = part[name].copy()
            for column in _FUNCTION_COLUMNS[name]:
                df[column] = df[column].map(lambda f, s=suffix: f + s if f else f)
            frames.append(df.assign(_region=region))
        tables[name] = pd.concat(frames, ignore_index=True)
    r = tables["responses"]
    regional = (r["_region"] > 0) & (r["provider_function"].map(_base) != LEGAL)
    crossed = regional & (rng.random(len(r)) < CROSS_REGION)
    r.loc[crossed, "provider_function"] = r.loc[crossed, "provider_function"].map(_base)
    wave_order = tables["responses"]["wave"].map({w: i for i, w in enumerate(WAVES)})
    tables["responses"] = (
        tables["responses"]
        .assign(_wave=wave_order)
        .sort_values(["_wave", "submitted_at", "_region"], kind="stable", ignore_index=True)
        .drop(columns="_wave")
    )
    tables["touchpoints"] = tables["touchpoints"].sort_values(
        ["date", "_region", "external_id"], kind="stable", ignore_index=True
    )
    ext = tables["touchpoints"]
    ext["external_id"] = (
        ext["external_id"].str[:3]
        + ext["_region"].map(lambda r: "ABCD"[r])
        + ext["external_id"].str[3:]
    )
    for prefix, digits, (table, column), refs in _ID_FAMILIES:
        own = tables[table]
        new = {
            (r, old): f"{prefix}{i + 1:0{digits}d}"
            for i, (r, old) in enumerate(zip(own["_region"], own[column], strict=True))
        }
        for t, c in ((table, column), *refs):
            df = tables[t]
            df[c] = [new.get((r, v), "") for r, v in zip(df["_region"], df[c], strict=True)]
    return {name: df.drop(columns="_region") for name, df in tables.items()}


def _as_text(df: pd.DataFrame) -> pd.DataFrame:
    """Booleans as ``true``/``false``; everything else is written as is."""
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == bool:
            out[col] = out[col].map({True: "true", False: "false"})
    return out


def write(folder: Path, *, seed: int = 2026, scale: int = 1) -> None:
    """Write the sample tables as CSV files into ``folder``.

    The files are written to a temporary folder inside ``folder`` first and then moved in, so a
    failed run leaves the old files whole. Only the table files (``<table>.csv``) are replaced;
    ``engagement.yaml``, ``README.md`` and any other file are left untouched (a folder without
    an ``engagement.yaml`` gets a copy of the sample's, so ``kit validate`` runs on it).

    Parameters
    ----------
    folder
        Destination folder; created if missing.
    seed, scale
        Passed to :func:`generate`.
    """
    folder = Path(folder)
    tables = generate(seed, scale=scale)
    folder.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".sample-", dir=folder))
    try:
        for name, df in tables.items():
            _as_text(df).to_csv(
                tmp / f"{name}.csv", index=False, lineterminator="\n", encoding="utf-8"
            )
        config = folder / "engagement.yaml"
        if not config.exists():
            shutil.copyfile(SAMPLE_CONFIG, tmp / "engagement.yaml")
        for name in tables:
            os.replace(tmp / f"{name}.csv", folder / f"{name}.csv")
        if not config.exists():
            os.replace(tmp / "engagement.yaml", config)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m kit.sample FOLDER [--seed N]``."""
    parser = argparse.ArgumentParser(
        prog="python -m kit.sample", description=__doc__.split("\n")[0]
    )
    parser.add_argument("folder", type=Path, help="destination folder, e.g. data/sample")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--scale", type=int, default=1, choices=SCALES)
    args = parser.parse_args(argv)
    write(args.folder, seed=args.seed, scale=args.scale)
    print(f"Sample data (seed {args.seed}) written to {args.folder}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
