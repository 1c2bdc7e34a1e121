"""The catalog: instruments of the program and its partners, the corona schemes,
events and facts about the program. Content lives in content/*.yml, is validated
and loaded into the database (`python -m bot catalog load`), and read by queries.py.
"""
