"""OSCAL 1.1.3 output: assessment results (``render.oscal``), catalog and profile export."""
