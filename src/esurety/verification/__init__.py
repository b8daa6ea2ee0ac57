"""The domain of what orderers verified (照合): Receipt (受領: an orderer holds a certificate it verified by
number and key), view records, brute-force limits, notices sent to orderers' departments, and the
signed 照合結果 PDF (result_pdf.py). No pages: those are the verify portal's.
"""
