"""Blank forms that units fill in and send back (PAR and DTI self-assessments): written from the criteria tree with
the layout their reader (sources/assessment_forms.py) expects. Not a report on the warehouse, so not in workbooks/."""
