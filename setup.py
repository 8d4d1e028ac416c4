"""What pyproject.toml cannot say: the built-in content packs live in `content/` (where
organisers and pack authors edit them) and ship inside the package as `studybot_packs`, so a
wheel installed anywhere carries them. Every .yaml dropped into a pack folder is included."""

from setuptools import find_packages, setup

setup(
    packages=[*find_packages(include=["bot", "bot.*", "adapters", "adapters.*"]), "studybot_packs"],
    package_dir={"studybot_packs": "content"},
)
