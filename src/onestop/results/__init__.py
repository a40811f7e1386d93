"""Result documents that services yield: certificates and statements as PDF, ready to be
signed by the agency that issues them."""

from onestop.results.pdf import render_certificate_pdf

__all__ = ["render_certificate_pdf"]
